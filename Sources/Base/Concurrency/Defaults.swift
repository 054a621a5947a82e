#if canImport(Glibc)
import Glibc
#endif

/// Online CPUs: the default number of workers.
public let defaultThreadCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

/// Elements per reduction block: every Float64 sum is accumulated over
/// fixed blocks of this many elements and combined in index order
/// (DESIGN.md, principle 4), so sums do not depend on chunking or threads.
public let reductionBlockElementCount = 65_536
