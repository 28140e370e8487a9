// swift-kmip: ClipViewer
//
// The web viewer: login, the clip list, and video decrypted on the fly with Range support
// (docs/Viewer.md).

import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import SealedFile

/// A web viewer for sealed clips: users log in, see the clips, and watch them in the browser,
/// decrypted in memory as they are sent.
///
/// ```swift
/// let viewer = ClipViewerServer(
///     configuration: ViewerConfiguration(stateDirectory: "viewer-state"),
///     clips: DirectoryViewerClipSource(directory: "clips"),
///     keys: { header in try await fetchKey(header.keyIdentifier) })
/// try await viewer.run(handlingSignals: true) { endpoint in print("viewer at \(endpoint.url)") }
/// ```
public struct ClipViewerServer<Source: ViewerClipSource>: Sendable {
    /// The configuration the viewer runs with.
    public let configuration: ViewerConfiguration
    /// Where the clips come from.
    public let clips: Source
    private let keys: ViewerKeyProvider
    private let logger: Logger

    /// A viewer of the clips of `clips`, opening them with the keys `keys` gives.
    public init(configuration: ViewerConfiguration, clips: Source, keys: @escaping ViewerKeyProvider, logger: Logger = Logger(label: "clip-viewer")) {
        self.configuration = configuration
        self.clips = clips
        self.keys = keys
        self.logger = logger
    }

    /// Starts the viewer and serves until the task is cancelled or, with `handlingSignals`,
    /// until SIGINT or SIGTERM. `onListening` is called once the socket is bound.
    ///
    /// - Throws: ``ViewerError`` or ``ViewerUsersError`` when it cannot start (a bad
    ///   configuration, an unreadable certificate, a users file others may read).
    public func run(handlingSignals: Bool = false, onListening: @escaping @Sendable (ViewerEndpoint) async -> Void = { _ in }) async throws {
        try configuration.validate()
        try makeDirectory(configuration.stateDirectory)
        // Refuse a users file with loose permissions before serving anything.
        let userCount = try ViewerUsers(path: configuration.usersFile).names().count
        if userCount == 0 {
            logger.warning("the viewer has no users yet: add one with 'fetch-decrypt users add NAME'", metadata: ["users-file": "\(configuration.usersFile)"])
        }
        var certificateFile: String? = nil
        let server: HTTPServerBuilder
        switch configuration.tls {
        case .disabled:
            server = .http1()
            logger.warning("TLS is disabled: serve the viewer only behind a TLS-terminating proxy on this host")
        case .generated(let directory):
            let wildcard = ["0.0.0.0", "::", "[::]"].contains(configuration.host)
            let certificate = try ViewerCertificate.generated(in: directory, names: wildcard ? [] : [configuration.host])
            certificateFile = certificate.certificateChainFile
            server = try .tls(.http1(), tlsConfiguration: certificate.tlsConfiguration())
        case .files(let chain, let key):
            let certificate = ViewerCertificate(certificateChainFile: chain, privateKeyFile: key)
            certificateFile = chain
            server = try .tls(.http1(), tlsConfiguration: certificate.tlsConfiguration())
        }
        let sessions = MemoryPersistDriver()
        let routes = try ViewerRoutes(
            configuration: configuration, clips: clips, keyCache: KeyCache(lifetime: configuration.keyCacheLifetime, provider: keys),
            accessLog: AccessLog(path: configuration.accessLog), limiter: LoginRateLimiter(limit: configuration.loginLimit), logger: logger)
        let router = routes.router(sessions: sessions)
        let scheme = certificateFile == nil ? "http" : "https"
        let host = configuration.host.contains(":") && !configuration.host.hasPrefix("[") ? "[\(configuration.host)]" : configuration.host
        let application = Application(
            router: router, server: server,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port)),
            services: [sessions],
            onServerRunning: { [certificateFile] channel in
                let port = channel.localAddress?.port ?? configuration.port
                await onListening(ViewerEndpoint(url: "\(scheme)://\(host):\(port)/", port: port, certificateChainFile: certificateFile))
            },
            logger: logger)
        if handlingSignals {
            try await application.runService()
        } else {
            try await application.run()
        }
    }
}

/// A logged-in user's session: who, and the token every POST must carry.
struct ViewerSession: Codable, Sendable {
    var user: String
    var csrf: String
}

/// The request context: the session and the client's address.
struct ViewerRequestContext: RequestContext, SessionRequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let sessions: SessionContext<ViewerSession>
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        sessions = .init()
        remoteAddress = source.channel.remoteAddress
    }

    /// Forms are small: a login is a few hundred bytes.
    var maxUploadSize: Int { 16 * 1024 }

    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}

/// A response to send as it is (an error page), thrown from deep in a handler.
struct ViewerResponse: Error {
    let response: Response
}

/// The viewer's routes and what they share.
struct ViewerRoutes<Source: ViewerClipSource>: Sendable {
    let configuration: ViewerConfiguration
    let clips: Source
    let keyCache: KeyCache
    let accessLog: AccessLog
    let limiter: LoginRateLimiter
    let logger: Logger

    static var sessionCookie: String { "__Host-clipviewer-session" }
    static var loginCSRFCookie: String { "__Host-clipviewer-login" }

    func router(sessions: MemoryPersistDriver<ContinuousClock>) -> Router<ViewerRequestContext> {
        let router = Router(context: ViewerRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware(tls: configuration.tls != .disabled))
        router.add(middleware: ErrorPageMiddleware(siteTitle: configuration.title, logger: logger))
        router.add(middleware: SessionMiddleware<ViewerRequestContext>(storage: sessions, configuration: SessionMiddlewareConfiguration(
            sessionCookieParameters: SessionCookieParameters(name: Self.sessionCookie, path: "/", secure: true, sameSite: .strict),
            keyPrefix: "viewer.", defaultSessionExpiration: configuration.sessionLifetime)))

        router.get("static/viewer.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: ViewerPages.stylesheet)))
        }
        router.get("login") { request, context in try await loginPage(request, context) }
        router.post("login") { request, context in try await login(request, context) }
        router.post("logout") { request, context in try await logout(request, context) }

        let pages = router.group().add(middleware: RequireLogin(videoPrefix: nil))
        pages.get("/") { request, context in try await listPage(request, context) }
        pages.get("clips/:name") { request, context in try await playerPage(request, context) }
        let video = router.group().add(middleware: RequireLogin(videoPrefix: "/clips/"))
        video.get("clips/:name/video") { request, context in try await self.video(request, context) }
        return router
    }

    // MARK: - Login and logout

    func loginPage(_ request: Request, _ context: ViewerRequestContext) async throws -> Response {
        if context.sessions.session != nil { return .redirect(to: "/") }
        return loginForm(status: .ok)
    }

    /// The login form with a fresh CSRF token, also set as a cookie (double submit: a
    /// cross-site form cannot read the cookie, and a SameSite=Strict cookie is not sent with it).
    func loginForm(status: HTTPResponse.Status, user: String = "", message: String? = nil, headers: HTTPFields = [:]) -> Response {
        let token = randomToken()
        var response = html(status: status, ViewerPages.login(siteTitle: configuration.title, csrf: token, user: user, message: message))
        for field in headers { response.headers.append(field) }
        response.setCookie(Cookie(name: Self.loginCSRFCookie, value: token, maxAge: 3600, path: "/", secure: true, httpOnly: true, sameSite: .strict))
        return response
    }

    func login(_ request: Request, _ context: ViewerRequestContext) async throws -> Response {
        let form = try await readForm(request, context)
        guard sameOrigin(request), let cookie = request.cookies[Self.loginCSRFCookie]?.value, !cookie.isEmpty,
            let sent = form["csrf"], constantTimeEqual(String(cookie), sent)
        else {
            await log("login-refused", context: context, user: form["username"].map { loggable($0) }, status: 403, result: "CSRF token missing or wrong")
            throw ViewerResponse(response: errorPage(.forbidden, "Request refused", "The form was not sent from this site's login page, or it has expired. Load the login page again and sign in."))
        }
        let user = form["username"] ?? ""
        let password = form["password"] ?? ""
        let client = context.clientAddress
        if let wait = await limiter.refusal(user: user, address: client) {
            let seconds = max(1, Int(wait.components.seconds) + 1)
            await log("login-refused", context: context, user: loggable(user), status: 429, result: "too many failed logins")
            return loginForm(status: .tooManyRequests, user: user,
                message: "Too many failed sign-ins. Try again in \(seconds) seconds.", headers: [.retryAfter: "\(seconds)"])
        }
        let users = ViewerUsers(path: configuration.usersFile)
        let valid: Bool
        do {
            valid = try ViewerUsers.isValidName(user) && users.verify(user, password: password)
        } catch {
            logger.error("cannot read the users file", metadata: ["error": "\(error)"])
            throw ViewerResponse(response: errorPage(.internalServerError, "Sign-in unavailable", "The viewer cannot read its users file. The administrator has been told in the log."))
        }
        guard valid else {
            await limiter.recordFailure(user: user, address: client)
            await log("login-failed", context: context, user: loggable(user), status: 401, result: "wrong user name or password")
            return loginForm(status: .unauthorized, user: user, message: "Wrong user name or password.")
        }
        await limiter.recordSuccess(user: user)
        // A new session (a new identifier: nothing set before the login survives it).
        context.sessions.createSession(ViewerSession(user: user, csrf: randomToken()), expiresIn: configuration.sessionLifetime)
        await log("login", context: context, user: user, status: 303, result: "signed in")
        var response = Response.redirect(to: "/")
        response.setCookie(Cookie(name: Self.loginCSRFCookie, value: "", maxAge: 0, path: "/", secure: true, httpOnly: true, sameSite: .strict))
        return response
    }

    func logout(_ request: Request, _ context: ViewerRequestContext) async throws -> Response {
        let form = try await readForm(request, context)
        guard let session = context.sessions.session else { return .redirect(to: "/login") }
        guard sameOrigin(request), let sent = form["csrf"], constantTimeEqual(session.csrf, sent) else {
            await log("logout-refused", context: context, user: session.user, status: 403, result: "CSRF token missing or wrong")
            throw ViewerResponse(response: errorPage(.forbidden, "Request refused", "The sign-out was not sent from this site's pages.", session: session))
        }
        context.sessions.clearSession()
        await log("logout", context: context, user: session.user, status: 303, result: "signed out")
        return .redirect(to: "/login")
    }

    // MARK: - Pages

    func listPage(_ request: Request, _ context: ViewerRequestContext) async throws -> Response {
        let session = try requireSession(context)
        let list: [ViewerClip]
        do { list = try await clips.clips() } catch {
            logger.error("cannot list the clips", metadata: ["error": "\(error)"])
            throw ViewerResponse(response: errorPage(.serviceUnavailable, "Clips unavailable", "The clips cannot be listed now: \(error)", session: session))
        }
        return html(status: .ok, ViewerPages.list(siteTitle: configuration.title, user: session.user, csrf: session.csrf, clips: list))
    }

    func playerPage(_ request: Request, _ context: ViewerRequestContext) async throws -> Response {
        let session = try requireSession(context)
        let name = try clipName(context, session: session)
        let clip = (try? await clips.clips())?.first { $0.name == name }
        var exists = clip != nil
        if !exists { exists = (try? await clips.sealedFile(named: name)) != nil }
        guard exists else {
            throw ViewerResponse(response: errorPage(.notFound, "No such clip", "There is no clip named \(name).", session: session))
        }
        return html(status: .ok, ViewerPages.player(siteTitle: configuration.title, user: session.user, csrf: session.csrf, clip: clip, name: name))
    }

    // MARK: - Video

    func video(_ request: Request, _ context: ViewerRequestContext) async throws -> Response {
        let session = try requireSession(context)
        let rangeHeader = request.headers[.range]
        var entry = AccessLogEntry(
            time: AccessLog.now(), event: "view", user: session.user, client: context.clientAddress, clip: nil, keyIdentifier: nil,
            range: rangeHeader.map { String($0.prefix(100)) }, status: 0, result: "")
        func fail(_ status: HTTPResponse.Status, _ title: String, _ message: String, headers: HTTPFields = [:]) async -> ViewerResponse {
            entry.status = status.code
            entry.result = message
            await self.accessLog.append(entry)
            var response = errorPage(status, title, message, session: session)
            for field in headers { response.headers.append(field) }
            return ViewerResponse(response: response)
        }
        let rawName = context.parameters.get("name") ?? ""
        guard ViewerClip.isValidName(rawName) else {
            entry.clip = loggable(rawName)
            throw await fail(.badRequest, "Not a clip name", "'\(rawName)' is not a clip name.")
        }
        entry.clip = rawName
        let path: String
        do { path = try await clips.sealedFile(named: rawName) } catch ViewerClipError.notFound {
            throw await fail(.notFound, "No such clip", "There is no clip named \(rawName).")
        } catch {
            throw await fail(.serviceUnavailable, "Clip unavailable", "The clip cannot be fetched now: \(error)")
        }
        let source: FileRandomAccessSource
        let header: SealedFileHeader
        do {
            source = try FileRandomAccessSource(path: path)
            header = try SealedFileReader.readHeader(of: source).header
        } catch {
            throw await fail(.unprocessableContent, "Damaged clip", "\(rawName) cannot be opened: \(error)")
        }
        entry.keyIdentifier = header.keyIdentifier
        let keyBytes: [UInt8]
        do {
            keyBytes = try await keyCache.key(for: header).withUnsafeBytes { Array($0) }
        } catch let error as ViewerKeyError {
            if case .destroyed = error {
                throw await fail(.gone, "Key destroyed", "The key of \(rawName) has been destroyed: the clip can never be played again.")
            }
            throw await fail(.serviceUnavailable, "Key unavailable", "\(error)")
        } catch {
            throw await fail(.serviceUnavailable, "Key unavailable", "The key of \(rawName) cannot be had now: \(error)")
        }
        let reader: SealedFileRandomAccessReader<FileRandomAccessSource>
        do {
            reader = try SealedFileRandomAccessReader(source: source, key: keyBytes)
        } catch let error as SealedFileError {
            if case .wrongKey = error { await keyCache.drop(header) }
            throw await fail(.unprocessableContent, "Clip cannot be opened", "\(rawName) cannot be opened: \(error)")
        }
        let size = reader.plaintextSize
        var headers: HTTPFields = [
            .contentType: Self.contentType(name: rawName, header: header),
            .acceptRanges: "bytes",
            .contentDisposition: "inline",
        ]
        let range: Range<Int>
        let status: HTTPResponse.Status
        switch ByteRangeRequest(header: rangeHeader, length: size) {
        case .unsatisfiable:
            throw await fail(.rangeNotSatisfiable, "Range not satisfiable", "The range asked for is outside the clip's \(size) bytes.",
                headers: [.contentRange: "bytes */\(size)"])
        case .whole:
            range = 0..<size
            status = .ok
        case .partial(let partial):
            range = partial
            status = .partialContent
            headers[.contentRange] = "bytes \(partial.lowerBound)-\(partial.upperBound - 1)/\(size)"
        }
        entry.status = status.code
        let finalEntry = entry
        let log = self.accessLog
        let logger = self.logger
        let body = ResponseBody(contentLength: range.count) { writer in
            var logged = finalEntry
            do {
                for index in reader.chunks(covering: range) {
                    let chunk = try reader.plaintext(ofChunk: index)
                    let chunkRange = reader.plaintextRange(ofChunk: index)
                    let from = max(range.lowerBound, chunkRange.lowerBound) - chunkRange.lowerBound
                    let to = min(range.upperBound, chunkRange.upperBound) - chunkRange.lowerBound
                    try await writer.write(ByteBuffer(bytes: chunk[from..<to]))
                }
                try await writer.finish(nil)
                logged.result = "sent \(range.count) bytes"
                await log.append(logged)
            } catch {
                logged.result = "stopped: \(error)"
                await log.append(logged)
                logger.warning("a clip stopped while it was sent", metadata: ["clip": "\(finalEntry.clip ?? "")", "error": "\(error)"])
                throw error
            }
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// The media type of a clip: the `contentType` metadata, else from the name before
    /// `.sealed` (`clip.mp4.sealed` is `video/mp4`), else `video/mp4`.
    static func contentType(name: String, header: SealedFileHeader) -> String {
        if let type = header.metadata["contentType"], type.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), type.contains("/") { return type }
        let base = name.hasSuffix(".sealed") ? String(name.dropLast(7)) : name
        switch (base as NSString).pathExtension.lowercased() {
        case "webm": return "video/webm"
        case "ogv", "ogg": return "video/ogg"
        case "mov": return "video/quicktime"
        case "mkv": return "video/x-matroska"
        case "h264": return "video/h264"
        default: return "video/mp4"
        }
    }

    // MARK: - Helpers

    func requireSession(_ context: ViewerRequestContext) throws -> ViewerSession {
        guard let session = context.sessions.session else { throw ViewerResponse(response: .redirect(to: "/login")) }
        return session
    }

    func clipName(_ context: ViewerRequestContext, session: ViewerSession) throws -> String {
        let name = context.parameters.get("name") ?? ""
        guard ViewerClip.isValidName(name) else {
            throw ViewerResponse(response: errorPage(.badRequest, "Not a clip name", "'\(name)' is not a clip name.", session: session))
        }
        return name
    }

    func html(status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func errorPage(_ status: HTTPResponse.Status, _ title: String, _ message: String, session: ViewerSession? = nil) -> Response {
        html(status: status, ViewerPages.error(siteTitle: configuration.title, status: status.code, title: title, message: message, user: session?.user, csrf: session?.csrf))
    }

    /// The fields of a URL-encoded form body.
    func readForm(_ request: Request, _ context: ViewerRequestContext) async throws -> [String: String] {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            throw ViewerResponse(response: errorPage(.unsupportedMediaType, "Unsupported form", "Forms are sent as application/x-www-form-urlencoded."))
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: context.maxUploadSize) } catch {
            throw ViewerResponse(response: errorPage(.contentTooLarge, "Form too large", "The form is larger than \(context.maxUploadSize) bytes."))
        }
        var fields: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = decode(parts[0]), fields[key] == nil else { continue }
            fields[key] = parts.count > 1 ? decode(parts[1]) ?? "" : ""
        }
        return fields
    }

    private func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// False when the browser says the request came from another site (Origin or
    /// Sec-Fetch-Site); requests without either header (not from a browser) pass.
    func sameOrigin(_ request: Request) -> Bool {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin", site != "none" { return false }
        if let origin = request.headers[.origin] {
            guard let host = request.head.authority else { return false }
            return origin == "https://\(host)" || origin == "http://\(host)"
        }
        return true
    }

    /// A user name as it may appear in the log: valid names as they are, others replaced.
    func loggable(_ name: String) -> String {
        ViewerUsers.isValidName(name) ? name : "(invalid name, \(name.utf8.count) bytes)"
    }

    func log(_ event: String, context: ViewerRequestContext, user: String?, status: Int, result: String) async {
        await accessLog.append(AccessLogEntry(
            time: AccessLog.now(), event: event, user: user, client: context.clientAddress, clip: nil, keyIdentifier: nil, range: nil,
            status: status, result: result))
    }
}

/// No scripts at all; styles and media from the viewer only; forms post to the viewer only.
let viewerContentSecurityPolicy =
    "default-src 'none'; style-src 'self'; media-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/// 32 random bytes as 64 hexadecimal digits.
func randomToken() -> String {
    SymmetricKey(size: .bits256).withUnsafeBytes { bytes in bytes.map { String(format: "%02x", $0) }.joined() }
}

/// Compares two strings in time that depends only on their lengths.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for index in x.indices { difference |= x[index] ^ y[index] }
    return difference == 0
}

/// Sends visitors without a session to the login page (pages) or answers 401 (video).
struct RequireLogin: RouterMiddleware {
    typealias Context = ViewerRequestContext
    let videoPrefix: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.sessions.session == nil else { return try await next(request, context) }
        if videoPrefix != nil {
            return Response(status: .unauthorized, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "Sign in to watch clips.\n")))
        }
        return .redirect(to: "/login")
    }
}

/// Turns thrown errors into pages: a ``ViewerResponse`` as it is, an HTTP error as a page with its
/// status, anything else as a 500 page that does not show internals.
struct ErrorPageMiddleware: RouterMiddleware {
    typealias Context = ViewerRequestContext
    let siteTitle: String
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let thrown as ViewerResponse {
            return thrown.response
        } catch let error as HTTPError {
            let title = error.status == .notFound ? "Not found" : error.status.reasonPhrase
            let message = error.status == .notFound ? "There is nothing at this address." : (error.body ?? error.status.reasonPhrase)
            return page(error.status, title, message)
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return page(.internalServerError, "Something went wrong", "The viewer could not answer this request; the details are in its log.")
        }
    }

    private func page(_ status: HTTPResponse.Status, _ title: String, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: ViewerPages.error(siteTitle: siteTitle, status: status.code, title: title, message: message))))
    }
}

/// Adds the security headers to every response.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = ViewerRequestContext
    let tls: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = viewerContentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        // same-origin, not no-referrer: with no-referrer, browsers send `Origin: null` on the
        // viewer's own form posts, which the CSRF check refuses.
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] = "same-origin"
        // Pages and video are private: nothing is kept by the browser or a proxy.
        response.headers[.cacheControl] = "no-store"
        if tls { response.headers[.strictTransportSecurity] = "max-age=31536000" }
        return response
    }
}
