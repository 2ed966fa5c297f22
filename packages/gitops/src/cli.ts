export async function main(argv: readonly string[]): Promise<number> {
  process.stderr.write(`kustomize-ts: not implemented yet (${argv.join(" ")})\n`);
  return 1;
}
