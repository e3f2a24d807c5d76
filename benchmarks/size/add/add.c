/* add(i32, i32) -> i32, wrapping on overflow. */
__attribute__((export_name("add"))) int add(int a, int b) {
    return (int)((unsigned)a + (unsigned)b);
}
