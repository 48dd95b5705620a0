import CMimalloc
import Foundation

/// The process's memory allocator: mimalloc, linked into `site` so that the dynamic linker finds
/// its `malloc` and `free` before the C library's. Every allocation of the process goes to it:
/// the Swift runtime's, Foundation's, cmark-gfm's and libxml2's.
///
/// A build makes millions of small allocations on every core at once (strings, arrays, parsed
/// pages); glibc's allocator spent about a tenth of a large build's processor time on them.
enum Allocator {
    /// Gives memory a thread freed back to the system after 10 ms instead of mimalloc's 25: a
    /// 10,000-page build then peaks at about 185 MB instead of 205 MB, in the same time. A
    /// `MIMALLOC_DECOMMIT_DELAY` in the environment still wins.
    static func configure() {
        if getenv("MIMALLOC_DECOMMIT_DELAY") == nil { mi_option_set(mi_option_decommit_delay, 10) }
    }

    /// Which allocator serves the process, as `site --version` shows it: `mimalloc 2.0.9`, or
    /// `malloc` when the C library's came first after all (a preloaded library, a static link).
    static var description: String {
        let version = Int(mi_version())
        return usesMimalloc ? "mimalloc \(version / 100).\(version / 10 % 10).\(version % 10)" : "malloc"
    }

    /// Whether `malloc` hands out mimalloc's memory.
    static var usesMimalloc: Bool {
        guard let pointer = malloc(32) else { return false }
        defer { free(pointer) }
        return mi_is_in_heap_region(pointer)
    }
}
