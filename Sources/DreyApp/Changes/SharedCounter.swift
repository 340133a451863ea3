import Atomics

#if canImport(Glibc)
import Glibc
#endif

/// A 64-bit counter in a file of the data folder that every process serving it maps into memory: a process that
/// recorded a change adds one, and every other sees it at its next load, without a system call. Loads and adds are
/// atomic across processes (the file's one page is shared by all mappings of it).
///
/// `ChangeFeed.isCurrent` reads it on every cached page instead of `stat`ing the stamp file, which was a twentieth of
/// a cached page's CPU. The file is made when missing and never replaced by Drey; should it be removed or replaced
/// while a process has it mapped, `isFile(atPath:)` says so (see `ChangeFeed` for what follows).
final class SharedCounter: @unchecked Sendable {
    private let descriptor: Int32
    private let mapped: UnsafeMutableRawPointer
    private let atomic: UnsafeAtomic<UInt64>

    init?(path: String) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        var info = stat()
        // Growing to 8 bytes adds zeros; a file already that long keeps its count.
        guard fstat(fd, &info) == 0, info.st_size >= 8 || ftruncate(fd, 8) == 0,
            let mapped = mmap(nil, 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapped != MAP_FAILED
        else {
            close(fd)
            return nil
        }
        descriptor = fd
        self.mapped = mapped
        atomic = UnsafeAtomic(at: mapped.bindMemory(to: UInt64.AtomicRepresentation.self, capacity: 1))
    }

    deinit {
        munmap(mapped, 8)
        close(descriptor)
    }

    var value: UInt64 { atomic.load(ordering: .acquiring) }

    func increment() { atomic.wrappingIncrement(ordering: .releasing) }

    /// Whether the file at `path` is still the one mapped: false once it was removed or replaced, since processes
    /// opening it from then on count in another file.
    func isFile(atPath path: String) -> Bool {
        var mapped = stat()
        var named = stat()
        guard fstat(descriptor, &mapped) == 0, stat(path, &named) == 0 else { return false }
        return mapped.st_dev == named.st_dev && mapped.st_ino == named.st_ino
    }
}
