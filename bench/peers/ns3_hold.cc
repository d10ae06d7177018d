// The hold model on ns-3's simulator core (bench/peers.ts builds and runs it
// when libns3-dev is installed): N events pending, each schedules one
// successor after an exponential delay (mean 1 ms) from ns-3's own RNG, on
// the scheduler named on the command line (ns3::MapScheduler, HeapScheduler,
// CalendarScheduler, PriorityQueueScheduler). Prints one JSON line: events
// fired and seconds of wall time, after a warm-up.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ns3/core-module.h"

using namespace ns3;

static uint64_t g_fired = 0;
static uint64_t g_stopAt = 0;
static Ptr<ExponentialRandomVariable> g_delay;

static void Hold() {
  if (++g_fired == g_stopAt) Simulator::Stop();
  Simulator::Schedule(NanoSeconds(static_cast<uint64_t>(g_delay->GetValue())), &Hold);
}

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: ns3_hold <pending> <events> <scheduler type id>\n");
    return 2;
  }
  const uint64_t pending = std::strtoull(argv[1], nullptr, 10);
  const uint64_t events = std::strtoull(argv[2], nullptr, 10);
  ObjectFactory factory;
  factory.SetTypeId(argv[3]);
  Simulator::SetScheduler(factory);
  RngSeedManager::SetSeed(20261122);
  g_delay = CreateObject<ExponentialRandomVariable>();
  g_delay->SetAttribute("Mean", DoubleValue(1e6));
  g_delay->SetAttribute("Bound", DoubleValue(0.0));
  for (uint64_t i = 0; i < pending; i++) Simulator::Schedule(NanoSeconds(static_cast<uint64_t>(g_delay->GetValue())), &Hold);
  g_stopAt = events / 4;  // warm-up
  Simulator::Run();
  const uint64_t before = g_fired;
  g_stopAt = before + events;
  const auto started = std::chrono::steady_clock::now();
  Simulator::Run();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("{\"events\":%llu,\"seconds\":%.6f}\n", static_cast<unsigned long long>(g_fired - before), seconds);
  Simulator::Destroy();
  return 0;
}
