/**
 * A minimal POSIX ustar writer: the report loader emits one archive per dataset, and Framework
 * serves each member as its own file, so every page downloads only the part it shows while the
 * expensive analysis runs once. Member times are 0 so that the same content gives the same bytes.
 */
export function tar(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const name of Object.keys(files).sort()) {
    const body = Buffer.from(files[name], "utf8");
    if (Buffer.byteLength(name) > 100) throw new Error(`tar member name too long: ${name}`);
    const header = Buffer.alloc(512);
    header.write(name, 0, "utf8");
    header.write("0000644\0", 100, "ascii"); // mode
    header.write("0000000\0", 108, "ascii"); // uid
    header.write("0000000\0", 116, "ascii"); // gid
    header.write(body.length.toString(8).padStart(11, "0") + "\0", 124, "ascii");
    header.write("00000000000\0", 136, "ascii"); // mtime
    header.write("        ", 148, "ascii"); // checksum placeholder
    header.write("0", 156, "ascii"); // regular file
    header.write("ustar\0" + "00", 257, "ascii");
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "ascii");
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
