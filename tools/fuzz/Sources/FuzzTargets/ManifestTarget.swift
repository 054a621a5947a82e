import Checkpoint

/// Fuzzes `Manifest(path:bytes:)` with smelt-manifest.json contents: no
/// crash, and an accepted manifest renders to text that reads back equal,
/// inputs included.
public enum ManifestTarget {
    public static func run(_ input: UnsafeRawBufferPointer) {
        let manifest: Manifest
        do {
            manifest = try Manifest(path: Manifest.fileName, bytes: Array(input))
        } catch {
            return
        }
        do {
            let reread = try Manifest(path: Manifest.fileName, bytes: Array(manifest.rendered().utf8))
            invariant(reread == manifest && sameBytes(reread.rendered(), manifest.rendered()), "manifest changed on rendering")
        } catch {
            invariant(false, "the rendered manifest does not read back: \(error)")
        }
    }
}
