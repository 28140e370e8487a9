// swift-kmip: ClipTools
//
// Where the sealed clips are stored: the URL and how to log in, never on the command line.

import ArgumentParser
import ClipSupport
import CurlClipStore
import Foundation

/// The clip store's URL, how to trust it, and where its credentials are.
///
/// `file:///DIR` (or a plain path) is a local directory; `ftp://`, `ftps://` (explicit TLS, the
/// certificate verified) and `sftp://` (the host key pinned) go through libcurl. Credentials come
/// from a file (`--store-credentials`, env `CLIP_STORE_CREDENTIALS`: `HOST[:PORT] USER[:PASSWORD]
/// [key=FILE]` lines, mode 0600) or the environment (`CLIP_STORE_USER`, `CLIP_STORE_PASSWORD`,
/// `CLIP_STORE_KEY`), never from the command line, and never appear in logs.
public struct StoreArguments: ParsableArguments {
    @Option(name: .customLong("store"), help: "Where clips are: file:///DIR, a directory, ftp://HOST/DIR/, ftps://HOST/DIR/ or sftp://HOST/DIR/ (env CLIP_STORE).")
    public var url: String?

    @Option(name: .customLong("store-credentials"), help: "A private file of `HOST[:PORT] USER[:PASSWORD] [key=FILE]` lines (env CLIP_STORE_CREDENTIALS; or CLIP_STORE_USER / CLIP_STORE_PASSWORD / CLIP_STORE_KEY).")
    public var credentials: String?

    @Option(name: .customLong("store-ca"), help: "PEM file of the CA that issued an ftps:// server's certificate (env CLIP_STORE_CA; default: the system's trust store).")
    public var ca: String?

    @Option(name: .customLong("store-host-key"), help: "The sftp:// server's host key fingerprint, SHA256:... (env CLIP_STORE_HOST_KEY).")
    public var hostKey: String?

    @Option(name: .customLong("store-known-hosts"), help: "A known_hosts file for sftp:// (env CLIP_STORE_KNOWN_HOSTS; default ~/.ssh/known_hosts).")
    public var knownHosts: String?

    public init() {}

    /// The store's URL as given (or from `CLIP_STORE`).
    public var resolvedURL: String? { url ?? ProcessInfo.processInfo.environment["CLIP_STORE"] }

    /// The store; remote uploads send at most `uploadLimit` bytes a second when given.
    public func makeStore(uploadLimit: Int? = nil) throws -> any ClipStore {
        let environment = ProcessInfo.processInfo.environment
        guard let text = resolvedURL else { throw ValidationError("no clip store: give --store URL (or CLIP_STORE)") }
        if text.hasPrefix("file://") {
            return try DirectoryClipStore(directory: String(text.dropFirst("file://".count)), create: false)
        }
        if !text.contains("://") { return try DirectoryClipStore(directory: text, create: false) }
        let trust = CurlClipStore.Trust(
            caFile: ca ?? environment["CLIP_STORE_CA"], hostKeySHA256: hostKey ?? environment["CLIP_STORE_HOST_KEY"],
            knownHostsFile: knownHosts ?? environment["CLIP_STORE_KNOWN_HOSTS"])
        let store = try CurlClipStore.store(for: text, trust: trust, credentialsFile: credentials ?? environment["CLIP_STORE_CREDENTIALS"], environment: environment)
        guard var remote = store as? CurlClipStore else { return store }
        remote.maximumUploadBytesPerSecond = uploadLimit
        return remote
    }
}

/// One line of a program's log: the time, then the text, written at once.
public enum ClipLog {
    /// Writes `line` to standard error with a UTC time stamp.
    public static func line(_ line: String) {
        let stamp = Date().formatted(.iso8601)
        FileHandle.standardError.write(Data("\(stamp) \(line)\n".utf8))
    }

    /// `url` without a password (`ftp://user:secret@host/` becomes `ftp://user:***@host/`).
    public static func redact(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        guard let at = authority.lastIndex(of: "@") else { return url }
        let userInfo = authority[..<at]
        let user = userInfo.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        return String(url[..<schemeEnd.upperBound]) + user + ":***" + String(rest[at...])
    }

    /// A byte count for people (`1.5 MB`).
    public static func bytes(_ count: Int) -> String {
        if count < 1_000 { return "\(count) B" }
        if count < 1_000_000 { return String(format: "%.1f kB", Double(count) / 1e3) }
        if count < 1_000_000_000 { return String(format: "%.1f MB", Double(count) / 1e6) }
        return String(format: "%.2f GB", Double(count) / 1e9)
    }

    /// A byte count from text: `500000`, `64k`, `512M`, `2G` (powers of 1024).
    public static func parseBytes(_ text: String) -> Int? {
        let lowered = text.lowercased().trimmingCharacters(in: .whitespaces)
        let units: [(String, Int)] = [("g", 1 << 30), ("m", 1 << 20), ("k", 1 << 10)]
        for (suffix, factor) in units where lowered.hasSuffix(suffix) {
            return Int(lowered.dropLast()).flatMap { $0 > 0 ? $0 * factor : nil }
        }
        return Int(lowered).flatMap { $0 > 0 ? $0 : nil }
    }
}
