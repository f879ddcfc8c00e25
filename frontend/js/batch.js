// The batch page: a shop's list of tasting notes, from a file or pasted text,
// sent to the JSON API's batch endpoint in chunks and answered in a table with a
// CSV download. Everything is checked before anything is sent, and a failure
// midway keeps nothing, so the page never shows half a list.
//
// An ES module with no dependencies and no build step. The pure functions are
// exported so the end-to-end tests can check them in the browser; the page
// wiring at the bottom runs only when the page's form is there.

/** Most notes one upload may hold (the page states it as well). */
export const MAX_NOTES = 1000;
/** Largest file read, in bytes. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Notes per request: well under the API's 256, so progress moves in steps. */
export const CHUNK_NOTES = 50;
/** Bytes of JSON per request: under the API's 1 MiB body limit, whatever the notes. */
const CHUNK_BODY_BYTES = 900 * 1024;
/** Attempts per chunk while the server answers 429 (busy). */
const ATTEMPTS_WHEN_BUSY = 4;
/** Longest wait the page accepts from Retry-After, in seconds. */
const LONGEST_WAIT_SECONDS = 30;
/** Characters of a note the table shows before cutting it short. */
const NOTE_PREVIEW_CHARS = 90;
/** The API's longest note, in characters (Unicode code points). */
const MAX_NOTE_CHARS = 5000;
/** Share of control characters above which a text is taken for binary. */
const BINARY_CONTROL_SHARE = 0.01;

/** The page's words for the API's certainty levels, as on the predict page. */
const CERTAINTY_WORDS = { high: "likely", medium: "possibly", low: "unsure" };

/** A problem with the input, said in words for the person who chose it. */
export class InputError extends Error {}

/** A request that failed midway: nothing of the upload is kept. */
export class UploadError extends Error {}

const numberFormat = new Intl.NumberFormat("en");
const count = (n) => numberFormat.format(n);

/** The text of a file's bytes: UTF-8 (a BOM is fine), not binary, not empty.
 *  Throws InputError saying what is wrong. */
export function decodeText(bytes) {
  if (bytes.length === 0) throw new InputError("The file is empty: it has no notes.");
  if (bytes.length > MAX_FILE_BYTES) throw new InputError(tooLarge(bytes.length));
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (utf16) {
    throw new InputError("The file is UTF-16 text. Save it as UTF-8 (\"CSV UTF-8\" in spreadsheets) and upload it again.");
  }
  if (bytes.includes(0)) throw new InputError(notText());
  let text;
  try {
    // `fatal` refuses malformed bytes instead of replacing them; the BOM is dropped.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(
      "The file is not UTF-8 text (it may be Latin-1 or Windows-1252). Save it as UTF-8 (\"CSV UTF-8\" in spreadsheets) and upload it again.",
    );
  }
  if (controlShare(text) > BINARY_CONTROL_SHARE) throw new InputError(notText());
  if (text.trim() === "") throw new InputError("The file is empty: it has no notes.");
  return text;
}

function tooLarge(bytes) {
  const megabytes = (bytes / (1024 * 1024)).toFixed(1);
  return `The file is ${megabytes} MB; the limit is ${MAX_FILE_BYTES / (1024 * 1024)} MB. Split it into smaller files.`;
}

function notText() {
  return "The file is not a text file (it looks binary). Upload a CSV or a plain-text file.";
}

/** The share of characters that are control characters other than tab and line ends. */
function controlShare(text) {
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const control = (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f;
    if (control) controls++;
  }
  return text.length === 0 ? 0 : controls / text.length;
}

/** The records of RFC 4180 CSV text, each an array of fields. Records end at CRLF,
 *  LF or CR; a quoted field may hold commas, line breaks and doubled quotes. A blank
 *  line is no record. Leniency where the RFC is stricter: a quote inside an
 *  unquoted field is kept as a character. Throws InputError for a quoted field
 *  that never closes or that has text after its closing quote. */
export function parseCsv(text) {
  const records = [];
  let record = [];
  let field = "";
  // whether the record has a quoted field: `""` alone on a line is a record
  let quoted = false;
  let line = 1;
  const endField = () => {
    record.push(field);
    field = "";
  };
  const endRecord = () => {
    endField();
    const blank = record.length === 1 && record[0] === "" && !quoted;
    if (!blank) records.push(record);
    record = [];
    quoted = false;
  };
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '"' && field === "") {
      const opened = line;
      quoted = true;
      i++;
      for (;;) {
        if (i >= text.length) throw new InputError(`The CSV has a quoted field, opened on line ${opened}, that never closes.`);
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else {
          if (text[i] === "\n" || (text[i] === "\r" && text[i + 1] !== "\n")) line++;
          field += text[i++];
        }
      }
      if (i < text.length && !",\r\n".includes(text[i])) {
        throw new InputError(`The CSV has text after a closing quote on line ${line}; a quote inside a field is written twice ("").`);
      }
      // the field may continue only by ending: the loop sees the separator next
      if (i < text.length && text[i] === ",") {
        endField();
        i++;
      }
      continue;
    }
    if (char === ",") {
      endField();
      i++;
    } else if (char === "\n" || char === "\r") {
      endRecord();
      i += char === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
    } else {
      field += char;
      i++;
    }
  }
  if (field !== "" || record.length > 0 || quoted) endRecord();
  return records;
}

/** Whether the text's first line reads as a CSV header with a `description` column. */
function looksLikeCsv(text) {
  const firstLine = text.split(/\r\n|\n|\r/, 1)[0];
  return firstLine.split(",").some((name) => normalName(name) === "description");
}

function normalName(name) {
  return name.trim().replace(/^"|"$/g, "").trim().toLowerCase();
}

/** The notes of a CSV's `description` column, one per record after the header. */
function notesFromCsv(text) {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new InputError("The file is empty: it has no notes.");
  const column = header.findIndex((name) => normalName(name) === "description");
  if (column < 0) {
    const shown = header.slice(0, 12).map((name) => `"${name.trim()}"`).join(", ");
    const more = header.length > 12 ? ` and ${header.length - 12} more` : "";
    throw new InputError(
      `The CSV has no "description" column. Its columns are: ${shown}${more}. Name the column of tasting notes "description" in the first row.`,
    );
  }
  return rows.map((row) => (row[column] ?? "").trim());
}

/** One note per non-empty line. */
function notesFromLines(text) {
  return text
    .split(/\r\n|\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/** The notes of an upload's text: CSV when the file is named .csv (or typed
 *  text/csv) or when its first line is a header with a description column, else
 *  one note per line. Throws InputError when there are none or too many. */
export function notesFromText(text, { csv = false } = {}) {
  const notes = csv || looksLikeCsv(text) ? notesFromCsv(text) : notesFromLines(text);
  if (notes.length === 0) throw new InputError("The file has no notes: there is nothing under its header.");
  if (notes.length > MAX_NOTES) {
    throw new InputError(
      `The file has ${count(notes.length)} notes; at most ${count(MAX_NOTES)} can be placed at once. Split it into smaller files.`,
    );
  }
  return notes;
}

/** The notes of an uploaded File, checked in full. Throws InputError. */
export async function notesFromFile(file) {
  if (file.size > MAX_FILE_BYTES) throw new InputError(tooLarge(file.size));
  const bytes = new Uint8Array(await file.arrayBuffer());
  const csv = /\.csv$/i.test(file.name) || file.type === "text/csv";
  return notesFromText(decodeText(bytes), { csv });
}

/** The note as sent: one over the API's limit is cut to one character past it, so
 *  the API still refuses it as too long but no request can outgrow the body limit. */
function asSent(note) {
  if (note.length <= MAX_NOTE_CHARS) return note;
  return Array.from(note).slice(0, MAX_NOTE_CHARS + 1).join("");
}

/** The notes (as sent) split into requests: at most CHUNK_NOTES each and under
 *  the body limit. */
export function chunksOf(notes) {
  const encoder = new TextEncoder();
  const chunks = [];
  let chunk = [];
  let bytes = 0;
  for (const note of notes.map(asSent)) {
    const size = encoder.encode(JSON.stringify(note)).length + 1;
    if (chunk.length === CHUNK_NOTES || (chunk.length > 0 && bytes + size > CHUNK_BODY_BYTES)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(note);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Seconds to wait from a Retry-After header (seconds or an HTTP date); 1 when absent. */
export function retryAfterSeconds(header, now = Date.now()) {
  if (!header) return 1;
  const seconds = Number(header);
  const wait = Number.isFinite(seconds) ? seconds : (Date.parse(header) - now) / 1000;
  if (!Number.isFinite(wait)) return 1;
  return Math.min(Math.max(wait, 0), LONGEST_WAIT_SECONDS);
}

const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/** The API's results for one chunk, in order; waits and retries while the server is
 *  busy (429). Throws UploadError on anything else that is not a full answer. */
async function sendChunk(endpoint, chunk, firstRow) {
  const rows = `notes ${count(firstRow)} to ${count(firstRow + chunk.length - 1)}`;
  for (let attempt = 1; ; attempt++) {
    let response;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ descriptions: chunk }),
      });
    } catch {
      throw new UploadError(`The connection to the server failed while sending ${rows}.`);
    }
    if (response.status === 429 && attempt < ATTEMPTS_WHEN_BUSY) {
      await sleep(retryAfterSeconds(response.headers.get("retry-after")));
      continue;
    }
    if (response.status === 429) throw new UploadError(`The server stayed busy while sending ${rows}.`);
    if (!response.ok) throw new UploadError(`The server answered ${response.status} while sending ${rows}.`);
    let body;
    try {
      body = await response.json();
    } catch {
      throw new UploadError(`The server's answer for ${rows} was not JSON.`);
    }
    const results = body?.results;
    const complete = Array.isArray(results) && results.length === chunk.length && results.every(isResult);
    if (!complete) throw new UploadError(`The server's answer for ${rows} was incomplete.`);
    return results;
  }
}

function isResult(item) {
  return item !== null && typeof item === "object" && (typeof item.country === "string" || typeof item.error === "object");
}

/** Every note's result, in order, sent chunk after chunk; `onProgress(done, total)`
 *  after each. Throws UploadError at the first chunk that fails. */
export async function placeAll(endpoint, notes, onProgress = () => {}) {
  const results = [];
  for (const chunk of chunksOf(notes)) {
    results.push(...(await sendChunk(endpoint, chunk, results.length + 1)));
    onProgress(results.length, notes.length);
  }
  return results;
}

/** One table and CSV row of a note and its result. */
export function rowOf(index, note, result) {
  const row = { row: index + 1, description: note };
  if (result.error) {
    return { ...row, refused: result.error.message || result.error.code || "refused" };
  }
  const top = (result.predictions ?? []).find((p) => p.label === result.country);
  const grape = Array.isArray(result.variety) && result.variety.length > 0 ? labelOf(result.variety[0]) : "";
  return {
    ...row,
    country: result.country,
    countryProbability: top ? top.probability : null,
    province: result.province?.label ?? "",
    grape,
    certainty: CERTAINTY_WORDS[result.certainty] ?? result.certainty ?? "",
  };
}

function labelOf(entry) {
  return typeof entry === "string" ? entry : (entry?.label ?? "");
}

/** A CSV field: formulas neutralised for spreadsheets, quoted when it must be. */
export function csvField(value) {
  let text = value === null || value === undefined ? "" : String(value);
  // A leading = + - @ (or tab, CR) makes spreadsheets run the cell as a formula.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const CSV_COLUMNS = [
  "row",
  "description",
  "country",
  "country_probability",
  "province",
  "grape",
  "certainty",
  "refused_reason",
];

/** The results as CSV text (CRLF line ends, as RFC 4180 writes them). */
export function resultsCsv(rows) {
  const lines = [CSV_COLUMNS.join(",")];
  for (const row of rows) {
    const probability = typeof row.countryProbability === "number" ? row.countryProbability.toFixed(4) : "";
    const fields = row.refused
      ? [row.row, row.description, "", "", "", "", "", row.refused]
      : [row.row, row.description, row.country, probability, row.province, row.grape, row.certainty, ""];
    lines.push(fields.map(csvField).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** The note cut to the table's preview length, on a code point boundary. */
export function preview(note) {
  const chars = Array.from(note);
  return chars.length <= NOTE_PREVIEW_CHARS ? note : `${chars.slice(0, NOTE_PREVIEW_CHARS - 1).join("").trimEnd()}…`;
}

// ---- The page -------------------------------------------------------------

/** A table cell whose text is set as text, never as markup. */
function cell(tag, text, className) {
  const element = document.createElement(tag);
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

/** The table row of one note: its number, the note cut short, and the answer, or
 *  "Refused" with the reason across the answer's four cells. */
function tableRow(row) {
  const tr = document.createElement("tr");
  const number = cell("th", String(row.row));
  number.scope = "row";
  const note = cell("td", preview(row.description), "note");
  note.title = row.description;
  tr.append(number, note);
  if (row.refused) {
    tr.className = "refused";
    const refused = cell("td", "", "refused-reason");
    refused.colSpan = 4;
    refused.append(cell("strong", "Refused"), document.createTextNode(`: ${row.refused}`));
    tr.append(refused);
  } else {
    tr.append(
      cell("td", row.country),
      cell("td", row.province || "—"),
      cell("td", row.grape || "—"),
      cell("td", row.certainty),
    );
  }
  return tr;
}

/** The page's elements the upload draws into. */
function pageParts(form) {
  const main = form.closest("main") ?? document;
  const progressBox = main.querySelector(".batch-progress");
  const results = main.querySelector(".batch-results");
  return {
    form,
    fileInput: form.querySelector('input[type="file"]'),
    textArea: form.querySelector("textarea"),
    button: form.querySelector('button[type="submit"]'),
    progressBox,
    progress: progressBox.querySelector("progress"),
    progressText: progressBox.querySelector(".batch-progress-text"),
    alert: main.querySelector('[role="alert"]'),
    status: main.querySelector('[role="status"]'),
    results,
    summary: results.querySelector(".batch-summary"),
    download: results.querySelector("a[download]"),
    tbody: results.querySelector("tbody"),
    endpoint: form.dataset.endpoint || "/api/v1/predict/batch",
    downloadUrl: null,
  };
}

/** Hides and empties the results, and frees the last download's object URL. */
function clearResults(parts) {
  parts.results.hidden = true;
  parts.tbody.replaceChildren();
  parts.summary.textContent = "";
  if (parts.downloadUrl) URL.revokeObjectURL(parts.downloadUrl);
  parts.downloadUrl = null;
  parts.download.removeAttribute("href");
}

function showProgress(parts, done, total) {
  parts.progress.max = Math.max(total, 1);
  parts.progress.value = done;
  parts.progressText.textContent = `${count(done)} of ${count(total)} notes`;
}

/** Draws the whole table at once and offers it as CSV (with a BOM, so spreadsheets
 *  read it as UTF-8). */
function showResults(parts, rows) {
  const fragment = document.createDocumentFragment();
  for (const row of rows) fragment.append(tableRow(row));
  parts.tbody.replaceChildren(fragment);
  const refused = rows.filter((row) => row.refused).length;
  parts.summary.textContent = `${count(rows.length)} notes: ${count(rows.length - refused)} placed, ${count(refused)} refused.`;
  const csv = new Blob(["\uFEFF", resultsCsv(rows)], { type: "text/csv;charset=utf-8" });
  parts.downloadUrl = URL.createObjectURL(csv);
  parts.download.href = parts.downloadUrl;
  parts.results.hidden = false;
}

/** The notes of the chosen file, else of the pasted text. Throws InputError. */
async function readNotes(parts) {
  const file = parts.fileInput.files?.[0];
  if (file) return notesFromFile(file);
  if (parts.textArea.value.trim() === "") throw new InputError("Choose a file of notes, or paste notes, first.");
  return notesFromText(parts.textArea.value);
}

/** What the alert says about a failed upload. */
function failureMessage(error) {
  if (error instanceof InputError) return `${error.message} Nothing was sent.`;
  if (error instanceof UploadError) return `The upload failed: ${error.message} Nothing was kept; try again.`;
  console.error(error);
  return "The upload failed unexpectedly. Nothing was kept; try again.";
}

/** One upload, start to end: check, send, draw; on any failure, nothing is kept. */
async function upload(parts) {
  parts.alert.textContent = "";
  parts.status.textContent = "";
  clearResults(parts);
  parts.button.setAttribute("aria-busy", "true");
  try {
    const notes = await readNotes(parts);
    showProgress(parts, 0, notes.length);
    parts.progressBox.hidden = false;
    const answers = await placeAll(parts.endpoint, notes, (done, total) => showProgress(parts, done, total));
    showResults(parts, notes.map((note, index) => rowOf(index, note, answers[index])));
    parts.status.textContent = `Done: all ${count(notes.length)} notes answered. The table and its download are ready.`;
  } catch (error) {
    clearResults(parts);
    parts.alert.textContent = failureMessage(error);
  } finally {
    parts.progressBox.hidden = true;
    parts.button.removeAttribute("aria-busy");
  }
}

function wirePage(form) {
  const parts = pageParts(form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    // one upload at a time
    if (parts.button.getAttribute("aria-busy") !== "true") upload(parts);
  });
}

const batchForm = typeof document === "undefined" ? null : document.querySelector("form.batch-form");
if (batchForm) wirePage(batchForm);
