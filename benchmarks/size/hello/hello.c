/* Calls the host's env.log(ptr, len) with "Hello, world!" from run(). */
#include <stddef.h>

__attribute__((import_module("env"), import_name("log")))
extern void host_log(const char *ptr, size_t len);

__attribute__((export_name("run"))) void run(void) {
    static const char msg[] = "Hello, world!";
    host_log(msg, sizeof msg - 1);
}
