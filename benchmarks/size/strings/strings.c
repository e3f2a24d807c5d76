/* Reverses the order of the words (runs of non-ASCII-whitespace) of a string,
 * joining them with single spaces. ABI as in strings.rs: alloc, dealloc,
 * reverse_words(ptr, len) -> out ptr, result_len(). */
#include <stdlib.h>
#include <string.h>

static size_t result_length;

__attribute__((export_name("alloc"))) void *alloc(size_t len) { return calloc(len ? len : 1, 1); }

__attribute__((export_name("dealloc"))) void dealloc(void *ptr, size_t len) {
    (void)len;
    free(ptr);
}

__attribute__((export_name("result_len"))) size_t result_len(void) { return result_length; }

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

struct span { size_t start, len; };

__attribute__((export_name("reverse_words"))) char *reverse_words(const char *in, size_t len) {
    struct span *words = NULL;
    size_t count = 0, cap = 0, total = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && is_space((unsigned char)in[i])) i++;
        if (i == len) break;
        size_t start = i;
        while (i < len && !is_space((unsigned char)in[i])) i++;
        if (count == cap) {
            cap = cap ? cap * 2 : 8;
            struct span *grown = realloc(words, cap * sizeof *words);
            if (!grown) { free(words); result_length = 0; return NULL; }
            words = grown;
        }
        words[count].start = start;
        words[count].len = i - start;
        total += i - start;
        count++;
    }
    size_t out_len = count ? total + count - 1 : 0;
    char *out = malloc(out_len ? out_len : 1);
    if (!out) { free(words); result_length = 0; return NULL; }
    char *p = out;
    for (size_t k = count; k-- > 0;) {
        memcpy(p, in + words[k].start, words[k].len);
        p += words[k].len;
        if (k) *p++ = ' ';
    }
    free(words);
    result_length = out_len;
    return out;
}
