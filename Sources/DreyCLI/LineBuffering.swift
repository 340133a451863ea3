// Apart from Foundation: only a `@preconcurrency` import of the C library lets Swift 6 name C's `stdout`.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Makes standard output line-buffered. Sent to a file or a pipe (systemd, Docker, `make run > log`), it is
/// block-buffered by C, so the address and the one-time setup link `drey serve` prints would appear only when the
/// server exits; a line at a time, they are read while they are still of use. (The log handler writes standard error
/// with write(2), unbuffered.)
func lineBufferStandardOutput() {
    setvbuf(stdout, nil, _IOLBF, 0)
}
