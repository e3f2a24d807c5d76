// Calls the host's env.log(ptr, len) with "Hello, world!" from run().
@external("env", "log")
declare function log(ptr: usize, len: usize): void;

export function run(): void {
  const msg = String.UTF8.encode("Hello, world!");
  log(changetype<usize>(msg), msg.byteLength);
}
