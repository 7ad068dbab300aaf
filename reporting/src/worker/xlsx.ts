import { crc32, deflateRawSync } from 'node:zlib';

/** XML text: escaped, and without the control characters XML 1.0 forbids. */
const xml = (s: string): string =>
  // eslint-disable-next-line no-control-regex
  s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

const cell = (value: string | number): string =>
  typeof value === 'number' ? (Number.isFinite(value) ? `<c><v>${value}</v></c>` : '<c/>') : `<c t="inlineStr"><is><t xml:space="preserve">${xml(value)}</t></is></c>`;

const PARTS = {
  '[Content_Types].xml':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
  '_rels/.rels':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
  'xl/workbook.xml':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Report" sheetId="1" r:id="rId1"/></sheets></workbook>',
  'xl/_rels/workbook.xml.rels':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
};

/** One ZIP entry, deflated; DOS date 1980-01-01 so equal content gives equal bytes. */
const entry = (name: string, content: Buffer, offset: number) => {
  const nameBytes = Buffer.from(name, 'utf8');
  const data = deflateRawSync(content);
  const crc = crc32(content);
  const header = (signature: number, central: boolean) => {
    const b = Buffer.alloc(central ? 46 : 30);
    let o = 0;
    const u32 = (v: number) => (b.writeUInt32LE(v >>> 0, o), (o += 4));
    const u16 = (v: number) => (b.writeUInt16LE(v, o), (o += 2));
    u32(signature);
    if (central) u16(20); // version made by
    u16(20); // version needed
    u16(0x0800); // UTF-8 names
    u16(8); // deflate
    u16(0); // time
    u16(0x21); // date: 1980-01-01
    u32(crc);
    u32(data.length);
    u32(content.length);
    u16(nameBytes.length);
    u16(0); // extra
    if (central) {
      u16(0); // comment
      u16(0); // disk
      u16(0); // internal attributes
      u32(0); // external attributes
      u32(offset);
    }
    return Buffer.concat([b, nameBytes]);
  };
  const local = Buffer.concat([header(0x04034b50, false), data]);
  return { local, central: header(0x02014b50, true) };
};

/**
 * A table as a minimal Office Open XML workbook (one sheet, inline strings, numbers as numbers),
 * zipped with node:zlib — no spreadsheet library. Rows are gathered into the sheet, then the file
 * is yielded in one piece; `onRow` counts them as they pass.
 */
export async function* xlsxFile(columns: readonly string[], rows: AsyncIterable<readonly (string | number)[]>, onRow: () => void): AsyncGenerator<Buffer> {
  const sheet: string[] = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'];
  sheet.push(`<row>${columns.map(cell).join('')}</row>`);
  for await (const row of rows) {
    onRow();
    sheet.push(`<row>${row.map(cell).join('')}</row>`);
  }
  sheet.push('</sheetData></worksheet>');
  const files: [string, Buffer][] = [...Object.entries(PARTS).map(([n, c]): [string, Buffer] => [n, Buffer.from(c, 'utf8')]), ['xl/worksheets/sheet1.xml', Buffer.from(sheet.join(''), 'utf8')]];
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of files) {
    const e = entry(name, content, offset);
    locals.push(e.local);
    centrals.push(e.central);
    offset += e.local.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  yield Buffer.concat([...locals, directory, end]);
}

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
