import Atomics

#if canImport(Glibc)
import Glibc
#endif

/// A 64-bit counter in a file of the data folder that every process serving it maps into memory: a process that
/// recorded a change adds one, and every other sees it at its next load, without a system call. Loads and adds are
/// atomic across processes (the file's one page is shared by all mappings of it).
///
/// `ChangeFeed.isCurrent` reads it on every cached page instead of `stat`ing the stamp file, which was a twentieth of
/// a cached page's CPU. The file is made when missing and never replaced; should it be removed while a process has it
/// mapped, `isUnlinked` says so and the feed goes back to the stamp.
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

    /// The file was removed since it was mapped: other processes would count in a new one.
    var isUnlinked: Bool {
        var info = stat()
        return fstat(descriptor, &info) != 0 || info.st_nlink == 0
    }
}
