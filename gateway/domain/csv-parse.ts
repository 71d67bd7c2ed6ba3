/**
 * Reading a CSV file as spreadsheets write it (RFC 4180, pure): quoted fields with "" for a
 * quote and line breaks inside, CRLF or LF between records, an optional UTF-8 BOM. Each record
 * keeps the line number it starts on, so errors can name the line a person sees.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A file that is not CSV: a quoted field that is never closed (its line says where it opens). */
export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const input = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  let sawAnything = false;
  const endRecord = () => {
    fields.push(field);
    if (sawAnything || fields.length > 1 || field !== "")
      records.push({ line: recordLine, fields });
    fields = [];
    field = "";
    sawAnything = false;
  };
  for (let i = 0; i < input.length; i++) {
    const char = input.charAt(i);
    if (quoted) {
      if (char === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (char === "\n") line++;
        field += char;
      }
      continue;
    }
    if (char === '"') {
      quoted = true;
      quoteLine = line;
      sawAnything = true;
    } else if (char === ",") {
      fields.push(field);
      field = "";
      sawAnything = true;
    } else if (char === "\r" || char === "\n") {
      if (char === "\r" && input[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += char;
      sawAnything = true;
    }
  }
  // An open quote would swallow the rest of the file into one field: refuse, say where.
  if (quoted) throw new CsvError(quoteLine, 'a quoted field is not closed (a missing ")');
  if (field !== "" || fields.length > 0 || sawAnything) endRecord();
  return records;
}
