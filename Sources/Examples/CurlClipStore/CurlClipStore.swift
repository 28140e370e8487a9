// swift-kmip: CurlClipStore
//
// Clip stores on FTP, FTPS (explicit TLS) and SFTP servers, over libcurl.

import CCurl
import ClipSupport
import Foundation

/// A clip store on an FTP, FTPS or SFTP server, over libcurl.
///
/// - `ftp://HOST[:PORT]/DIR/`: plain FTP (the password travels in clear; prefer `ftps`).
/// - `ftps://HOST[:PORT]/DIR/`: FTP with explicit TLS (`AUTH TLS` on the FTP port, then TLS for
///   every command and transfer, or the connection fails); the server's certificate is verified
///   against ``Trust/caFile`` or the system's trust store, and its name against HOST. (libcurl's own
///   `ftps://` means implicit TLS; this store always speaks explicit TLS.)
/// - `sftp://HOST[:PORT]/ABSOLUTE/DIR/` (or `/~/DIR/` under the home directory): SFTP, the server's
///   host key pinned by ``Trust/hostKeySHA256`` or found in ``Trust/knownHostsFile`` (by default
///   `~/.ssh/known_hosts`); an unknown or different host key is refused.
///
/// FTP paths are relative to the login directory (`ftp://host/%2Fsrv/clips/` for an absolute one).
/// Credentials never go in the URL: pass ``Credentials`` (see ``Credentials/resolve(for:file:environment:)``).
/// Uploads go to `.NAME.uploading`, are renamed to NAME when complete and return only when the
/// server reports NAME's size equal to the local file's. Every operation runs libcurl on a thread
/// of its own, never on Swift's cooperative pool, and gives up on a server that stops answering
/// (``Timeouts``); cancelling the calling task aborts the transfer.
public struct CurlClipStore: ClipStore {
    /// The protocols a store speaks.
    public enum Scheme: String, Sendable {
        /// Plain FTP.
        case ftp
        /// FTP with explicit TLS (AUTH TLS), required for everything.
        case ftps
        /// SFTP (SSH).
        case sftp
    }

    /// How the server's identity is checked.
    public struct Trust: Sendable {
        /// PEM file of the certificate authorities an FTPS server's certificate must chain to;
        /// nil trusts the system's store.
        public var caFile: String?
        /// The SHA-256 fingerprint of the SFTP server's host key, base64, as
        /// `ssh-keygen -l -E sha256 -f KEY.pub` prints it (`SHA256:` prefix optional).
        public var hostKeySHA256: String?
        /// An OpenSSH known_hosts file holding the SFTP server's host key (`[HOST]:PORT` entries
        /// for ports other than 22); a host not in it is refused.
        public var knownHostsFile: String?

        /// A trust configuration; the defaults trust the system's CAs and, for SFTP, `~/.ssh/known_hosts`.
        public init(caFile: String? = nil, hostKeySHA256: String? = nil, knownHostsFile: String? = nil) {
            self.caFile = caFile
            self.hostKeySHA256 = hostKeySHA256
            self.knownHostsFile = knownHostsFile
        }
    }

    /// How long to wait for a server.
    public struct Timeouts: Sendable {
        /// For the TCP connection (and, for FTP, each control connection reply before transfer).
        public var connect: Duration
        /// A transfer that moves less than one byte a second for this long is aborted, and so is a
        /// command the server does not answer within it; listing, size checks and deletes must
        /// finish within it altogether. (libcurl averages the speed over about five seconds, so a
        /// transfer that stops dead fails up to six seconds after this.)
        public var stall: Duration

        /// Timeouts of `connect` (10 s by default) and `stall` (30 s by default).
        public init(connect: Duration = .seconds(10), stall: Duration = .seconds(30)) {
            self.connect = connect
            self.stall = stall
        }
    }

    /// The protocol.
    public let scheme: Scheme
    /// The store's URL without credentials (`ftps://example.com:2121/clips/`).
    public let location: String
    /// Who the store logs in as.
    public let credentials: Credentials?
    /// How the server is authenticated.
    public let trust: Trust
    /// How long to wait for the server.
    public let timeouts: Timeouts
    /// The most bytes per second an upload sends (nil: as fast as the link allows), for cameras
    /// that share a thin uplink.
    public var maximumUploadBytesPerSecond: Int?

    /// The URL libcurl gets for the directory (always `ftp://` for FTPS), ending in `/`.
    let directoryURL: String
    /// The directory's path as quote commands name it: relative to the login directory for FTP
    /// (empty for the login directory itself), absolute (or `/~/...`) for SFTP; ends in `/` unless empty.
    let commandDirectory: String

    /// A store at `url` (`ftp://`, `ftps://` or `sftp://`), logging in with `credentials`, checking
    /// the server with `trust`.
    ///
    /// Throws when the URL is not one of these, holds a user name or password, or is an `sftp://`
    /// URL with no host key to check against (no fingerprint, no known_hosts file, and no
    /// `~/.ssh/known_hosts`), or when a file named in `trust` or `credentials` cannot be read.
    public init(url: String, credentials: Credentials?, trust: Trust = Trust(), timeouts: Timeouts = Timeouts()) throws {
        let shown = Self.redacted(url)
        guard let components = URLComponents(string: url), let schemeName = components.scheme?.lowercased() else {
            throw ClipStoreError("\(shown) is not a URL")
        }
        guard let scheme = Scheme(rawValue: schemeName) else {
            throw ClipStoreError("\(shown): a clip store URL is ftp://, ftps://, sftp:// (libcurl) or file:// (a directory)")
        }
        guard components.user == nil, components.password == nil else {
            throw ClipStoreError(
                "\(shown): credentials in a URL are refused (they end up in logs and process lists); use a credentials file or \(Credentials.userVariable)/\(Credentials.passwordVariable)")
        }
        guard let host = components.host, !host.isEmpty else { throw ClipStoreError("\(shown) names no host") }
        guard components.query == nil, components.fragment == nil else { throw ClipStoreError("\(shown): a clip store URL has no query or fragment") }

        var path = components.percentEncodedPath
        if path.isEmpty { path = "/" }
        if !path.hasSuffix("/") { path += "/" }
        guard let decoded = path.removingPercentEncoding, !decoded.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw ClipStoreError("\(shown): the path is not valid")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let portPart = components.port.map { ":\($0)" } ?? ""
        directoryURL = "\(scheme == .sftp ? "sftp" : "ftp")://\(hostPart)\(portPart)\(path)"
        location = "\(scheme.rawValue)://\(hostPart)\(portPart)\(path)"
        commandDirectory = scheme == .sftp ? decoded : String(decoded.dropFirst())

        var trust = trust
        if let caFile = trust.caFile { try Self.checkReadable(caFile, "the CA file", shown) }
        if scheme == .sftp {
            if let fingerprint = trust.hostKeySHA256 {
                let bare = fingerprint.hasPrefix("SHA256:") ? String(fingerprint.dropFirst(7)) : fingerprint
                guard let data = Data(base64Encoded: Self.padded(bare)), data.count == 32 else {
                    throw ClipStoreError("\(shown): the host key fingerprint \(fingerprint) is not a base64 SHA-256 digest")
                }
                trust.hostKeySHA256 = bare
            }
            if trust.hostKeySHA256 == nil, trust.knownHostsFile == nil {
                let home = FileManager.default.homeDirectoryForCurrentUser.path
                let standard = home + "/.ssh/known_hosts"
                guard FileManager.default.isReadableFile(atPath: standard) else {
                    throw ClipStoreError(
                        "\(shown): an SFTP server's host key must be pinned: give its SHA-256 fingerprint or a known_hosts file (there is no \(standard))")
                }
                trust.knownHostsFile = standard
            }
            if let knownHosts = trust.knownHostsFile { try Self.checkReadable(knownHosts, "the known_hosts file", shown) }
        }
        if let key = credentials?.privateKeyFile { try Self.checkReadable(key, "the private key file", shown) }
        if let key = credentials?.publicKeyFile { try Self.checkReadable(key, "the public key file", shown) }

        self.scheme = scheme
        self.credentials = credentials
        self.trust = trust
        self.timeouts = timeouts
    }

    /// The store for `url`: a ``DirectoryClipStore`` for `file://` URLs, else a ``CurlClipStore``
    /// with credentials from `credentialsFile` or the environment (``Credentials/resolve(for:file:environment:)``).
    public static func store(
        for url: String, trust: Trust = Trust(), credentialsFile: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment, timeouts: Timeouts = Timeouts()
    ) throws -> any ClipStore {
        if url.lowercased().hasPrefix("file://") {
            guard let components = URLComponents(string: url), components.host ?? "" == "" || components.host == "localhost" else {
                throw ClipStoreError("\(redacted(url)): a file:// URL names a local directory (file:///path)")
            }
            return try DirectoryClipStore(directory: components.path)
        }
        let credentials = try Credentials.resolve(for: url, file: credentialsFile, environment: environment)
        return try CurlClipStore(url: url, credentials: credentials, trust: trust, timeouts: timeouts)
    }

    // MARK: ClipStore

    /// The sealed clips (regular files named `*.sealed`, not hidden), sorted by name.
    public func list() async throws -> [StoredClip] {
        try await entries().filter { $0.name.hasSuffix(".sealed") && !$0.name.hasPrefix(".") }
    }

    /// Every regular file in the store's directory, hidden ones (such as unfinished uploads) too,
    /// sorted by name.
    public func entries() async throws -> [StoredClip] {
        let store = self
        return try await withCurlSession { session in try store.entries(session) }
    }

    public func upload(_ path: String, as name: String) async throws {
        try Self.checkName(name)
        let store = self
        try await withCurlSession { session in try store.upload(session, path, name) }
    }

    public func download(_ name: String, to path: String) async throws {
        try Self.checkName(name)
        let store = self
        try await withCurlSession { session in try store.download(session, name, path) }
    }

    /// Asks for a byte range (FTP `REST` and an early end, SFTP a seek), so a clip's header is
    /// read without downloading the clip; a server that sends more is cut off at `count`.
    public func prefix(of name: String, count: Int) async throws -> [UInt8] {
        try Self.checkName(name)
        guard count > 0 else { return [] }
        let store = self
        return try await withCurlSession { session in try store.prefix(session, name, count) }
    }

    public func delete(_ name: String) async throws {
        try Self.checkName(name)
        let store = self
        try await withCurlSession { session in
            try store.start(session, url: store.directoryURL, timeLimited: true)
            try session.set(CURLOPT_NOBODY, true)
            try session.set(CURLOPT_QUOTE, list: [store.scheme == .sftp ? "rm \(store.quoted(name))" : "DELE \(store.commandDirectory)\(name)"])
            try store.perform(session, "delete \(name) from")
        }
    }

    /// The size of `name` on the server, as it reports it (FTP `SIZE`, SFTP stat).
    public func size(of name: String) async throws -> Int64 {
        try Self.checkName(name, allowingHidden: true)
        let store = self
        return try await withCurlSession { session in try store.size(session, name) }
    }

    // MARK: Operations (on the session's thread)

    private func entries(_ session: CurlSession) throws -> [StoredClip] {
        try start(session, url: directoryURL, timeLimited: true)
        if scheme == .sftp {
            try perform(session, "list")
            return Self.parseLongListing(session.buffers.received)
        }
        try session.set(CURLOPT_CUSTOMREQUEST, "MLSD")
        if let failure = session.perform() {
            // A server without MLSD (500-502): names with NLST, then each size with SIZE.
            guard (500...502).contains(session.responseCode) else { throw error("list", failure) }
            try start(session, url: directoryURL, timeLimited: true)
            try session.set(CURLOPT_DIRLISTONLY, true)
            try perform(session, "list")
            let names = String(decoding: session.buffers.received, as: UTF8.self)
                .split(whereSeparator: \.isNewline).map { String($0) }.filter { Self.isName($0, allowingHidden: true) }
            return try names.sorted().map { StoredClip(name: $0, size: Int(try size(session, $0))) }
        }
        return Self.parseMLSD(session.buffers.received)
    }

    private func upload(_ session: CurlSession, _ path: String, _ name: String) throws {
        let source = open(path, O_RDONLY | O_CLOEXEC)
        guard source >= 0 else { throw ClipStoreError("cannot upload \(name) to \(location): cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(source) }
        var status = stat()
        guard fstat(source, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw ClipStoreError("cannot upload \(name) to \(location): \(path) is not a regular file")
        }
        let localSize = Int64(status.st_size)
        let temporary = ".\(name).uploading"

        try start(session, url: directoryURL + Self.encoded(temporary), timeLimited: false)
        session.buffers.source = source
        try session.set(CURLOPT_UPLOAD, true)
        try session.set(CURLOPT_INFILESIZE_LARGE, offset: localSize)
        if let rate = maximumUploadBytesPerSecond { try session.set(CURLOPT_MAX_SEND_SPEED_LARGE, offset: Int64(rate)) }
        try session.set(CURLOPT_FTP_CREATE_MISSING_DIRS, Int(CURLFTP_CREATE_DIR.rawValue))
        if scheme == .sftp {
            // OpenSSH's SFTP rename does not replace an existing file: remove it first ('*': its absence is fine).
            try session.set(CURLOPT_POSTQUOTE, list: ["*rm \(quoted(name))", "rename \(quoted(temporary)) \(quoted(name))"])
        } else {
            // After the transfer the control connection is in the directory (libcurl's CWD).
            try session.set(CURLOPT_POSTQUOTE, list: ["RNFR \(temporary)", "RNTO \(name)"])
        }
        if let failure = session.perform() {
            let failed = error("upload \(name) to", failure)
            if session.buffers.fileError == 0, !Self.isConnectionFailure(failure.code) { try? remove(session, temporary) }
            throw failed
        }
        let remoteSize = try size(session, name)
        guard remoteSize == localSize else {
            try? remove(session, name)
            throw ClipStoreError("uploading \(name) to \(location): the server holds \(remoteSize) bytes of \(localSize); removed it")
        }
    }

    private func download(_ session: CurlSession, _ name: String, _ path: String) throws {
        let target = URL(fileURLWithPath: path)
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).downloading").path
        let sink = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard sink >= 0 else {
            throw ClipStoreError("cannot download \(name) from \(location): cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        var closed = false
        defer {
            if !closed { close(sink) }
            unlink(temporary)
        }
        try start(session, url: directoryURL + Self.encoded(name), timeLimited: false)
        session.buffers.sink = sink
        if let failure = session.perform() { throw error("download \(name) from", failure) }
        var status = stat()
        if let expected = session.contentLength, fstat(sink, &status) == 0, Int64(status.st_size) != expected {
            throw ClipStoreError("cannot download \(name) from \(location): received \(status.st_size) of \(expected) bytes")
        }
        closed = true
        guard fsync(sink) == 0, close(sink) == 0, rename(temporary, path) == 0 else {
            throw ClipStoreError("cannot download \(name) from \(location): cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    private func prefix(_ session: CurlSession, _ name: String, _ count: Int) throws -> [UInt8] {
        try start(session, url: directoryURL + Self.encoded(name), timeLimited: true)
        try session.set(CURLOPT_RANGE, "0-\(count - 1)")
        session.buffers.receiveLimit = count
        session.buffers.stopAtLimit = true
        if let failure = session.perform(), !(failure.code == CURLE_WRITE_ERROR && session.buffers.stoppedAtLimit) {
            throw error("read the start of \(name) on", failure)
        }
        return session.buffers.received
    }

    private func size(_ session: CurlSession, _ name: String) throws -> Int64 {
        if scheme == .sftp {
            // libcurl reports an SFTP file of 0 bytes as of unknown size: read the directory's listing.
            guard let entry = try entries(session).first(where: { $0.name == name }) else {
                throw ClipStoreError("cannot get the size of \(name) on \(location): it is not there")
            }
            return Int64(entry.size)
        }
        try start(session, url: directoryURL + Self.encoded(name), timeLimited: true)
        try session.set(CURLOPT_NOBODY, true)
        try perform(session, "get the size of \(name) on")
        guard let size = session.contentLength else { throw ClipStoreError("\(location) reports no size for \(name)") }
        return size
    }

    /// Deletes a file, for cleaning up after a failure.
    private func remove(_ session: CurlSession, _ name: String) throws {
        try start(session, url: directoryURL, timeLimited: true)
        try session.set(CURLOPT_NOBODY, true)
        try session.set(CURLOPT_QUOTE, list: [scheme == .sftp ? "rm \(quoted(name))" : "DELE \(commandDirectory)\(name)"])
        try perform(session, "delete \(name) from")
    }

    // MARK: libcurl options

    /// Resets the handle and sets what every request needs: the URL, one protocol, timeouts,
    /// credentials and the server checks.
    private func start(_ session: CurlSession, url: String, timeLimited: Bool) throws {
        session.reset()
        try session.setCallbacks()
        try session.set(CURLOPT_URL, url)
        try session.set(CURLOPT_PROTOCOLS_STR, scheme == .sftp ? "sftp" : "ftp")
        try session.set(CURLOPT_NOSIGNAL, true)
        try session.set(CURLOPT_TCP_KEEPALIVE, true)
        try session.set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(timeouts.connect))
        let stallSeconds = max(1, Int((Self.milliseconds(timeouts.stall) + 999) / 1000))
        try session.set(CURLOPT_LOW_SPEED_LIMIT, 1)
        try session.set(CURLOPT_LOW_SPEED_TIME, stallSeconds)
        try session.set(CURLOPT_SERVER_RESPONSE_TIMEOUT, stallSeconds)
        if timeLimited { try session.set(CURLOPT_TIMEOUT_MS, Self.milliseconds(timeouts.connect) + Self.milliseconds(timeouts.stall)) }

        if let credentials {
            try session.set(CURLOPT_USERNAME, credentials.user)
            if let password = credentials.password { try session.set(CURLOPT_PASSWORD, password) }
        }
        switch scheme {
        case .ftp:
            try session.set(CURLOPT_USE_SSL, Int(CURLUSESSL_NONE.rawValue))
        case .ftps:
            try session.set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
            try session.set(CURLOPT_FTPSSLAUTH, Int(CURLFTPAUTH_TLS.rawValue))
            try session.set(CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2)
            try session.set(CURLOPT_SSL_VERIFYPEER, true)
            try session.set(CURLOPT_SSL_VERIFYHOST, 2)
            if let caFile = trust.caFile { try session.set(CURLOPT_CAINFO, caFile) }
        case .sftp:
            if let fingerprint = trust.hostKeySHA256 { try session.set(CURLOPT_SSH_HOST_PUBLIC_KEY_SHA256, fingerprint) }
            if let knownHosts = trust.knownHostsFile { try session.set(CURLOPT_SSH_KNOWNHOSTS, knownHosts) }
            var methods = 0
            if let credentials {
                if let key = credentials.privateKeyFile {
                    methods |= Int(CURLSSH_AUTH_PUBLICKEY)
                    try session.set(CURLOPT_SSH_PRIVATE_KEYFILE, key)
                    // Empty: libssh2 derives the public key from the private one.
                    try session.set(CURLOPT_SSH_PUBLIC_KEYFILE, credentials.publicKeyFile ?? "")
                    if let passphrase = credentials.keyPassphrase { try session.set(CURLOPT_KEYPASSWD, passphrase) }
                }
                if credentials.password != nil { methods |= Int(CURLSSH_AUTH_PASSWORD) | Int(CURLSSH_AUTH_KEYBOARD) }
            }
            try session.set(CURLOPT_SSH_AUTH_TYPES, methods == 0 ? Int(CURLSSH_AUTH_PUBLICKEY) : methods)
        }
    }

    private func perform(_ session: CurlSession, _ operation: String) throws {
        if let failure = session.perform() { throw error(operation, failure) }
    }

    /// "cannot OPERATION LOCATION: curl's text (curl error N)", with any secret scrubbed.
    private func error(_ operation: String, _ failure: (code: CURLcode, text: String)) -> ClipStoreError {
        var text = "cannot \(operation) \(location): \(failure.text) (curl error \(failure.code.rawValue))"
        if failure.code == CURLE_OPERATION_TIMEDOUT { text += "; the server stopped answering" }
        if failure.code == CURLE_PEER_FAILED_VERIFICATION, scheme == .sftp, !text.contains("fingerprint"), let knownHosts = trust.knownHostsFile {
            text += "; the server's host key is not the one \(knownHosts) holds for it"
        }
        for secret in credentials?.secrets ?? [] { text = text.replacingOccurrences(of: secret, with: "***") }
        return ClipStoreError(text)
    }

    private static func isConnectionFailure(_ code: CURLcode) -> Bool {
        [CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_OPERATION_TIMEDOUT, CURLE_LOGIN_DENIED,
         CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_USE_SSL_FAILED, CURLE_SSH,
         CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_ABORTED_BY_CALLBACK].contains(code)
    }

    // MARK: Names, paths, listings

    /// A name as an SFTP quote command takes it: the full path in double quotes.
    private func quoted(_ name: String) -> String {
        let path = commandDirectory + name
        return "\"" + path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func isName(_ name: String, allowingHidden: Bool = false) -> Bool {
        !name.isEmpty && name.utf8.count <= 255 && name != "." && name != ".." && (allowingHidden || !name.hasPrefix("."))
            && !name.unicodeScalars.contains { $0 == "/" || $0.value < 0x20 || $0.value == 0x7F }
    }

    /// Clip names are plain file names: no directories, no hidden files, no control characters.
    static func checkName(_ name: String, allowingHidden: Bool = false) throws {
        guard isName(name, allowingHidden: allowingHidden) else { throw ClipStoreError("'\(name)' is not a clip name") }
    }

    /// A name as a URL path segment.
    static func encoded(_ name: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name
    }

    /// `url` without a user name or password, for messages.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "(a URL that does not parse)" }
        if components.user != nil || components.password != nil {
            components.user = nil
            components.password = nil
        }
        components.query = nil
        return components.string ?? "(a URL)"
    }

    /// MLSD lines (`type=file;size=6;modify=...; NAME`): regular files with their sizes.
    static func parseMLSD(_ bytes: [UInt8]) -> [StoredClip] {
        var clips: [StoredClip] = []
        // Lines end in CRLF on the wire; accept a bare LF too.
        for line in String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline) {
            guard let space = line.firstIndex(of: " ") else { continue }
            let name = String(line[line.index(after: space)...])
            var facts: [String: String] = [:]
            for fact in line[..<space].split(separator: ";") {
                guard let equals = fact.firstIndex(of: "=") else { continue }
                facts[fact[..<equals].lowercased()] = String(fact[fact.index(after: equals)...])
            }
            guard facts["type"]?.lowercased() == "file", isName(name, allowingHidden: true) else { continue }
            clips.append(StoredClip(name: name, size: facts["size"].flatMap { Int($0) } ?? 0))
        }
        return clips.sorted { $0.name < $1.name }
    }

    /// SFTP long listing lines (`-rw-r--r--  1 user group  SIZE Mon DD HH:MM NAME`): regular files.
    static func parseLongListing(_ bytes: [UInt8]) -> [StoredClip] {
        var clips: [StoredClip] = []
        for line in String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline) {
            guard line.hasPrefix("-") else { continue }
            // Nine fields; the name is what follows the eighth, and may hold blanks.
            var rest = Substring(line)
            var fields: [Substring] = []
            while fields.count < 8 {
                rest = rest.drop(while: { $0 == " " })
                guard let end = rest.firstIndex(of: " ") else { break }
                fields.append(rest[..<end])
                rest = rest[end...]
            }
            guard fields.count == 8, rest.first == " ", let size = Int(fields[4]) else { continue }
            let name = String(rest.dropFirst())
            guard isName(name, allowingHidden: true) else { continue }
            clips.append(StoredClip(name: name, size: size))
        }
        return clips.sorted { $0.name < $1.name }
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    static func padded(_ base64: String) -> String {
        base64 + String(repeating: "=", count: (4 - base64.count % 4) % 4)
    }

    private static func checkReadable(_ path: String, _ what: String, _ url: String) throws {
        guard FileManager.default.isReadableFile(atPath: path) else { throw ClipStoreError("\(url): cannot read \(what) \(path)") }
    }
}
