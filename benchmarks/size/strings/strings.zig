//! Reverses the order of the words (runs of non-ASCII-whitespace) of a string,
//! joining them with single spaces. ABI as in strings.rs: alloc, dealloc,
//! reverse_words(ptr, len) -> out ptr, result_len().
const std = @import("std");
const gpa = std.heap.wasm_allocator;

var result_length: usize = 0;

export fn alloc(len: usize) ?[*]u8 {
    const buf = gpa.alloc(u8, len) catch return null;
    @memset(buf, 0);
    return buf.ptr;
}

export fn dealloc(ptr: [*]u8, len: usize) void {
    gpa.free(ptr[0..len]);
}

export fn result_len() usize {
    return result_length;
}

fn reverse(input: []const u8) ![]u8 {
    var words: std.ArrayList([]const u8) = .empty;
    defer words.deinit(gpa);
    var it = std.mem.tokenizeAny(u8, input, " \t\n\r\x0c");
    while (it.next()) |word| try words.append(gpa, word);
    std.mem.reverse([]const u8, words.items);
    return std.mem.join(gpa, " ", words.items);
}

export fn reverse_words(ptr: [*]const u8, len: usize) ?[*]u8 {
    const out = reverse(ptr[0..len]) catch {
        result_length = 0;
        return null;
    };
    result_length = out.len;
    return out.ptr;
}
