/**
 * Reads the text back out of an uncompressed pdfkit PDF: each BT…ET block is one line, made of
 * the hex strings of its TJ arrays (pdfkit's standard fonts use WinAnsi, so ASCII maps 1:1).
 */
export function pdfText(pdf: Buffer): string[] {
  const source = pdf.toString("latin1");
  if (source.includes("/FlateDecode"))
    throw new Error("the PDF is compressed; render it with uncompressed: true");
  return (source.match(/BT[\s\S]*?ET/g) ?? []).map((block) =>
    [...block.matchAll(/<([0-9a-fA-F]*)>/g)]
      .map((m) => Buffer.from(m[1], "hex").toString("latin1"))
      .join(""),
  );
}
