// Reverses the order of the words (runs of non-ASCII-whitespace) of a UTF-8
// string, joining them with single spaces. ABI as in strings.rs: alloc,
// dealloc, reverse_words(ptr, len) -> out ptr, result_len().
let resultLength: usize = 0;

export function alloc(len: usize): usize {
  const ptr = heap.alloc(len);
  memory.fill(ptr, 0, len);
  return ptr;
}

export function dealloc(ptr: usize, len: usize): void {
  heap.free(ptr);
}

export function result_len(): usize {
  return resultLength;
}

function isSpace(c: i32): bool {
  return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d || c == 0x0c;
}

function reverse(text: string): string {
  const words = new Array<string>();
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i == n) break;
    const start = i;
    while (i < n && !isSpace(text.charCodeAt(i))) i++;
    words.push(text.substring(start, i));
  }
  words.reverse();
  return words.join(" ");
}

export function reverse_words(ptr: usize, len: usize): usize {
  const out = reverse(String.UTF8.decodeUnsafe(ptr, len));
  const outLen = <usize>String.UTF8.byteLength(out);
  const buf = heap.alloc(outLen);
  String.UTF8.encodeUnsafe(changetype<usize>(out), out.length, buf);
  resultLength = outLen;
  return buf;
}
