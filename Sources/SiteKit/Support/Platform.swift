// site reads file stamps (stat's st_mtim and st_ctim), folders and links through Glibc: it builds
// and runs on Linux. Another system stops here, with one message, instead of somewhere inside.
#if !os(Linux)
    #error("site builds on Linux only: it reads file stamps, folders and links through Glibc (stat's st_mtim and st_ctim, fstatat, openat)")
#endif
