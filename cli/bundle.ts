import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { type Bundle, buildBundles, buildScriptBundle } from "../build/bundles";
import { LOAD_GENERATOR } from "../components/load-generator";

/**
 * `npm run bundle [--force]`: writes every service's archive to out/bundles/, and the load
 * generator's job archive to out/bundles/load-generator/ once its entry point exists, and lists
 * them.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const force = process.argv.includes("--force");
  const bundles: Bundle[] = await buildBundles({ force });
  const { name, entry } = LOAD_GENERATOR;
  if (existsSync(join(__dirname, "..", entry))) {
    bundles.push(await buildScriptBundle({ name, entry, force }));
  }
  for (const b of bundles) {
    const mib = (b.bytes / 2 ** 20).toFixed(1);
    console.log(
      `${b.service.padEnd(22)} ${mib.padStart(6)} MiB  ${b.sha256}  ${relative(process.cwd(), b.archivePath)}`,
    );
  }
  console.log(`${bundles.length} bundles in ${Date.now() - started} ms`);
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
