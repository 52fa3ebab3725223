import { expect } from "chai";
import { CLOUD_RUN_LIMITS, minCpuForMemory } from "../../../runtime/catalog/limits";

describe("catalog/limits", () => {
  it("asks Cloud Run's minimum vCPUs for each memory size, strictly above each bound", () => {
    const cases: [number, number][] = [
      [512, 1],
      [4_096, 1],
      [4_097, 2],
      [8_192, 2],
      [8_193, 4],
      [16_384, 4],
      [16_385, 6],
      [24_576, 6],
      [24_577, 8],
      [32_768, 8],
    ];
    for (const [memoryMiB, cpu] of cases) {
      expect(minCpuForMemory(memoryMiB), `${memoryMiB} MiB`).to.equal(cpu);
    }
  });

  it("asks only CPU counts Cloud Run offers", () => {
    for (const { cpu } of CLOUD_RUN_LIMITS.minCpuForMemory) {
      expect(CLOUD_RUN_LIMITS.cpus).to.include(cpu);
    }
  });
});
