import { relative } from "node:path";
import { buildBundles } from "../components/bundling";

/** `npm run bundle [--force]`: writes every service's zip to out/bundles/ and lists them. */
async function main(): Promise<void> {
  const started = Date.now();
  const bundles = await buildBundles({ force: process.argv.includes("--force") });
  for (const b of bundles) {
    const mib = (b.bytes / 2 ** 20).toFixed(1);
    console.log(
      `${b.service.padEnd(22)} ${mib.padStart(6)} MiB  ${b.sha256}  ${relative(process.cwd(), b.zipPath)}`,
    );
  }
  console.log(`${bundles.length} bundles in ${Date.now() - started} ms`);
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
