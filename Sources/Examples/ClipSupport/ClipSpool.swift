// swift-kmip: ClipSupport
//
// The camera's spool: sealed clips wait here until the store confirms it holds them whole.

import Foundation

/// A directory of sealed clips waiting to be uploaded, with a size quota.
///
/// A clip enters the spool already sealed (``ClipSealing/seal(from:into:name:header:key:beforeKeeping:)``
/// writes it under a hidden name and renames it when complete) and leaves it only through
/// ``remove(_:)``, which the uploader calls once the store has confirmed the clip's full size.
/// Everything in the spool is ciphertext; a restart finds the same clips and uploads them.
public struct ClipSpool: Sendable {
    /// The directory (mode 0700).
    public let directory: String
    /// The most bytes of sealed clips the spool may hold before recording pauses.
    public let quota: Int

    /// The spool in `directory` (made when missing) holding at most `quota` bytes.
    public init(directory: String, quota: Int) throws {
        self.directory = (directory as NSString).standardizingPath
        guard quota > 0 else { throw ClipStoreError("the spool quota must be positive, not \(quota)") }
        self.quota = quota
        do {
            try FileManager.default.createDirectory(
                atPath: self.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ClipStoreError("cannot create the spool \(self.directory): \(error.localizedDescription)")
        }
    }

    /// The sealed clips waiting, oldest first (by name, which starts with the capture time).
    public func pending() throws -> [StoredClip] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw ClipStoreError("cannot list the spool \(directory): \(error.localizedDescription)")
        }
        return names.filter { $0.hasSuffix(".sealed") && !$0.hasPrefix(".") }.sorted().map { name in
            StoredClip(name: name, size: Self.size(of: directory + "/" + name) ?? 0)
        }
    }

    /// Bytes the spool holds, counting clips being sealed.
    public func usedBytes() -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".sealed") || $0.hasSuffix(".sealing") }
            .reduce(0) { $0 + (Self.size(of: directory + "/" + $1) ?? 0) }
    }

    /// Whether a clip of about `expected` bytes still fits under the quota.
    public func hasRoom(for expected: Int) -> Bool {
        usedBytes() + expected <= quota
    }

    /// The local path of a pending clip.
    public func path(of name: String) -> String { directory + "/" + name }

    /// Removes a clip the store has confirmed, and syncs the directory so the removal survives a crash.
    public func remove(_ name: String) throws {
        try DirectoryClipStore.checkName(name)
        guard unlink(path(of: name)) == 0 || errno == ENOENT else {
            throw ClipStoreError("cannot remove \(name) from the spool: \(String(cString: strerror(errno)))")
        }
        Self.syncDirectory(directory)
    }

    /// Flushes a directory's entries (renames, removals) to disk.
    public static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    static func size(of path: String) -> Int? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return Int(status.st_size)
    }
}
