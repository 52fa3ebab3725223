/**
 * Child process for the crash test: flushes hot counters and stops dead (the parent SIGKILLs it)
 * right after the first Firestore write, before Redis is acknowledged.
 */
import Redis from "ioredis";
import { getFirestore } from "../../../runtime/firestore/client";
import { WriteBehindFlusher } from "../../../runtime/counters/write-behind";

const [port, prefix, collection] = process.argv.slice(2);
const redis = new Redis({ port: Number(port), host: "127.0.0.1" });
const flusher = new WriteBehindFlusher(redis, getFirestore(), {
  prefix,
  collection,
  concurrency: 1,
  hooks: {
    afterApply: async () => {
      process.stdout.write("applied\n");
      await new Promise(() => undefined);
    },
  },
});
void flusher.flushAll();
