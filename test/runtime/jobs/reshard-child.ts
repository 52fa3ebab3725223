/** Child process for the reshard crash test: runs the job and reports each committed batch. */
import { getFirestore } from "../../../runtime/firestore/client";
import { runReshardJob } from "../../../runtime/jobs/reshard";
import { initSharding } from "../../../runtime/sharding/hash";

const [jobId, sourcePattern, cursorCollection] = process.argv.slice(2);
void initSharding().then(() =>
  runReshardJob(
    getFirestore(),
    { jobId, sourcePattern, shardPrefix: "user_shard", from: 100, to: 128 },
    { cursorCollection, onBatch: (p) => process.stdout.write(`batch ${p.batches}\n`) },
  ),
);
