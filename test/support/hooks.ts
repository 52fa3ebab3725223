import { stopSharedServices } from "./services";

process.env.METADATA_SERVER_DETECTION = "none";

/** Mocha root hooks: stop the shared emulators and redis-server after the whole run. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await stopSharedServices();
  },
};
