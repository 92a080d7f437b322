// Index estimation (RFC 3711 appendix A) and the replay window, driven directly.

#include "rtc/srtp/srtp_replay.h"

#include <gtest/gtest.h>

namespace huddle::rtc::srtp_detail {
namespace {

constexpr std::uint64_t index(std::uint64_t roc, std::uint16_t seq) { return (roc << 16) | seq; }

TEST(SrtpIndexEstimate, FirstPacketHasRocZero) {
  EXPECT_EQ(estimateSrtpIndex(std::nullopt, 0), 0u);
  EXPECT_EQ(estimateSrtpIndex(std::nullopt, 65000), 65000u);
}

TEST(SrtpIndexEstimate, WrapIncrementsTheRoc) {
  EXPECT_EQ(estimateSrtpIndex(index(0, 65535), 0), index(1, 0));
  EXPECT_EQ(estimateSrtpIndex(index(0, 65500), 10), index(1, 10));
  EXPECT_EQ(estimateSrtpIndex(index(7, 40000), 7231), index(8, 7231));
  // Within half the sequence space ahead or behind: same ROC.
  EXPECT_EQ(estimateSrtpIndex(index(7, 40000), 7233), index(7, 7233));
  EXPECT_EQ(estimateSrtpIndex(index(7, 100), 32868), index(7, 32868));
}

TEST(SrtpIndexEstimate, LatePacketFromBeforeTheWrapKeepsTheOldRoc) {
  EXPECT_EQ(estimateSrtpIndex(index(1, 3), 65534), index(0, 65534));
  EXPECT_EQ(estimateSrtpIndex(index(5, 100), 32869), index(4, 32869));
}

TEST(SrtpIndexEstimate, NeverGuessesBelowRocZero) {
  // libsrtp does the same: a ROC of -1 cannot exist, so the packet is read as ROC 0.
  EXPECT_EQ(estimateSrtpIndex(index(0, 10), 60000), index(0, 60000));
}

TEST(SrtpIndexEstimate, RocOverflowIsRefused) {
  EXPECT_FALSE(estimateSrtpIndex(index(0xffffffffu, 65535), 0).has_value());
}

TEST(ReplayWindow, FreshDuplicateAndTooOld) {
  ReplayWindow w(64);
  EXPECT_EQ(w.check(100), ReplayWindow::Check::Fresh);
  w.add(100);
  EXPECT_EQ(w.highest(), 100u);
  EXPECT_EQ(w.check(100), ReplayWindow::Check::Duplicate);
  EXPECT_EQ(w.check(99), ReplayWindow::Check::Fresh);
  EXPECT_EQ(w.check(37), ReplayWindow::Check::Fresh);   // 100 - 63: the oldest in the window
  EXPECT_EQ(w.check(36), ReplayWindow::Check::TooOld);  // 100 - 64
  w.add(99);
  EXPECT_EQ(w.check(99), ReplayWindow::Check::Duplicate);
  EXPECT_EQ(w.highest(), 100u);
}

TEST(ReplayWindow, AdvancingForgetsWhatFellOutAndClearsReusedSlots) {
  ReplayWindow w(64);
  for (std::uint64_t i = 0; i < 64; ++i) w.add(i);
  // 64 shares index 0's slot; 0 is now too old and 64 is fresh.
  EXPECT_EQ(w.check(64), ReplayWindow::Check::Fresh);
  w.add(70);  // skips 64..69: their slots must read as unseen
  for (std::uint64_t i = 64; i < 70; ++i) EXPECT_EQ(w.check(i), ReplayWindow::Check::Fresh) << i;
  EXPECT_EQ(w.check(6), ReplayWindow::Check::TooOld);
  EXPECT_EQ(w.check(7), ReplayWindow::Check::Duplicate);  // still inside, was added
  w.add(1000);  // a jump beyond the window clears everything
  EXPECT_EQ(w.check(999), ReplayWindow::Check::Fresh);
  EXPECT_EQ(w.check(1000), ReplayWindow::Check::Duplicate);
}

TEST(ReplayWindow, SizeRoundsUpToWholeWords) {
  ReplayWindow w(65);  // 128
  w.add(200);
  EXPECT_EQ(w.check(73), ReplayWindow::Check::Fresh);
  EXPECT_EQ(w.check(72), ReplayWindow::Check::TooOld);
}

}  // namespace
}  // namespace huddle::rtc::srtp_detail
