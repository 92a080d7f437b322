#include <gtest/gtest.h>

#include <vector>

#include "sfu/media/layer_selector.h"

namespace huddle::sfu {
namespace {

constexpr LayerAvailability kAll{true, true, true};

TEST(LayerSelector, DefaultsToTheTopLayer) {
  EXPECT_EQ(chooseLayer({}, {}, false, kAll), (LayerDecision{false, 2}));
}

TEST(LayerSelector, PreferenceAndCapTakeTheLowerOfTheTwo) {
  EXPECT_EQ(chooseLayer({false, 0}, {}, false, kAll), (LayerDecision{false, 0}));
  EXPECT_EQ(chooseLayer({false, 2}, {1, false}, false, kAll), (LayerDecision{false, 1}));
  EXPECT_EQ(chooseLayer({false, 1}, {2, false}, false, kAll), (LayerDecision{false, 1}));
  EXPECT_EQ(chooseLayer({false, 7}, {9, false}, false, kAll), (LayerDecision{false, 2}));
}

TEST(LayerSelector, DisabledMutedOrCongestedPauses) {
  EXPECT_TRUE(chooseLayer({true, 2}, {}, false, kAll).paused);
  EXPECT_TRUE(chooseLayer({}, {}, true, kAll).paused);
  EXPECT_TRUE(chooseLayer({}, {0, true}, false, kAll).paused);
}

TEST(LayerSelector, FallsBackToTheBestLayerThatArrives) {
  // f paused by the publisher: h stands in.
  EXPECT_EQ(chooseLayer({}, {}, false, {true, true, false}), (LayerDecision{false, 1}));
  EXPECT_EQ(chooseLayer({}, {}, false, {true, false, false}), (LayerDecision{false, 0}));
  // Nothing at or below the wish: the lowest one above it.
  EXPECT_EQ(chooseLayer({false, 0}, {}, false, {false, true, true}), (LayerDecision{false, 1}));
  // ...but never above the congestion cap.
  EXPECT_EQ(chooseLayer({false, 0}, {0, false}, false, {false, true, true}),
            (LayerDecision{false, 0}));
  // Nothing arrives: wait for the wished layer.
  EXPECT_EQ(chooseLayer({false, 1}, {}, false, {false, false, false}), (LayerDecision{false, 1}));
}

TEST(LayerSelector, WantedLayerIsThePreferenceUnlessOff) {
  EXPECT_EQ(wantedLayer({}, false), 2);
  EXPECT_EQ(wantedLayer({false, 0}, false), 0);
  EXPECT_EQ(wantedLayer({true, 2}, false), -1);
  EXPECT_EQ(wantedLayer({}, true), -1);
}

TEST(LayerSelector, DimensionsPickTheSmallestCoveringLayer) {
  const std::vector<LayerSize> layers{{0, 320, 180}, {1, 640, 360}, {2, 1280, 720}};
  EXPECT_EQ(layerForDimensions(layers, 320, 180), 0);
  EXPECT_EQ(layerForDimensions(layers, 200, 100), 0);
  EXPECT_EQ(layerForDimensions(layers, 400, 225), 0);  // within 20% of 180
  EXPECT_EQ(layerForDimensions(layers, 480, 270), 1);
  EXPECT_EQ(layerForDimensions(layers, 1280, 720), 2);
  EXPECT_EQ(layerForDimensions(layers, 3840, 2160), 2);  // nothing covers it: the best there is
  // Portrait: the smaller side decides.
  const std::vector<LayerSize> portrait{{0, 180, 320}, {1, 360, 640}, {2, 720, 1280}};
  EXPECT_EQ(layerForDimensions(portrait, 360, 640), 1);
  // Nothing known, or nothing asked: the top.
  EXPECT_EQ(layerForDimensions({}, 320, 180), 2);
  EXPECT_EQ(layerForDimensions(layers, 0, 0), 2);
  // Two layers only: the top one known is the best there is.
  const std::vector<LayerSize> two{{0, 320, 180}, {1, 640, 360}};
  EXPECT_EQ(layerForDimensions(two, 1280, 720), 1);
}

}  // namespace
}  // namespace huddle::sfu
