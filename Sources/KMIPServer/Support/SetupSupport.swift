// swift-kmip: KMIPServer
//
// Set-up errors and private files (Foundation only: the fuzzed engine links this).

import Foundation

/// A server set-up failure: a data directory, master key, certificate or store that cannot be
/// used, with the reason.
public struct KMIPServerSetupError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, naming the file.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Files only their owner may read.
enum PrivateFile {
    /// Creates `path` with mode 0600 (failing when it exists) and writes `contents` durably.
    static func create(at path: String, contents: [UInt8]) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw KMIPServerSetupError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var written = 0
        while written < contents.count {
            let result = contents.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            guard result > 0 else {
                throw KMIPServerSetupError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            throw KMIPServerSetupError("cannot sync \(path): \(String(cString: strerror(errno)))")
        }
    }
}
