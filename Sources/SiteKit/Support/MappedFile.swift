import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// A file's bytes mapped into memory rather than read: pages of it are read from the file only
/// when something looks at them. Used for caches written by `site` itself, of which a build often
/// needs only a small part (the HTML of unchanged pages is linked into the output, never read).
///
/// The file must not be truncated while the bytes are in use (a cache file is only ever appended
/// to or replaced by renaming a new file over it, which leaves the mapped one as it was).
public enum MappedFile {
    /// The bytes of the regular file at `path`, mapped; nil when it cannot be opened or mapped.
    public static func read(_ path: String) -> Data? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        let count = Int(status.st_size)
        if count == 0 { return Data() }
        guard let base = mmap(nil, count, PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED else { return nil }
        return Data(bytesNoCopy: base, count: count, deallocator: .custom { pointer, count in munmap(pointer, count) })
    }
}
