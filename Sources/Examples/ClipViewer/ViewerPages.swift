// swift-kmip: ClipViewer
//
// The viewer's HTML: a login page, the clip list, a player page and error pages. No scripts,
// one same-origin stylesheet, everything interpolated is escaped.

import Foundation

enum ViewerPages {
    /// `text` with the HTML special characters escaped (for text and attribute values).
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// A whole page: the header (with the user and a logout button when logged in) and `body`.
    static func page(title: String, siteTitle: String, user: String? = nil, csrf: String? = nil, body: String) -> String {
        var account = ""
        if let user, let csrf {
            account = """
                <form class="account" method="post" action="/logout">
                <span>Signed in as <strong>\(escape(user))</strong></span>
                <input type="hidden" name="csrf" value="\(escape(csrf))">
                <button type="submit">Sign out</button>
                </form>
                """
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · \(escape(siteTitle))</title>
            <link rel="stylesheet" href="/static/viewer.css">
            </head>
            <body>
            <header><a class="site" href="/">\(escape(siteTitle))</a>\(account)</header>
            <main>
            \(body)
            </main>
            <footer>Clips are decrypted in memory as they are sent; keys come from the KMIP server.</footer>
            </body>
            </html>

            """
    }

    static func login(siteTitle: String, csrf: String, user: String = "", message: String? = nil) -> String {
        let notice = message.map { "<p class=\"error\" role=\"alert\">\(escape($0))</p>" } ?? ""
        return page(title: "Sign in", siteTitle: siteTitle, body: """
            <section class="login">
            <h1>Sign in</h1>
            \(notice)
            <form method="post" action="/login">
            <input type="hidden" name="csrf" value="\(escape(csrf))">
            <label for="username">User name</label>
            <input id="username" name="username" autocomplete="username" required value="\(escape(user))">
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit">Sign in</button>
            </form>
            </section>
            """)
    }

    static func list(siteTitle: String, user: String, csrf: String, clips: [ViewerClip]) -> String {
        var rows = ""
        for clip in clips {
            let name = escape(clip.name)
            let link = "/clips/\(name)"
            let playable = !isDestroyed(clip.keyState)
            let player = playable
                ? "<video controls preload=\"metadata\" src=\"\(link)/video\" width=\"240\"></video>"
                : "<span class=\"shredded\">cannot be played: its key is destroyed</span>"
            rows += """
                <tr>
                <td>\(escape(time(clip.recorded)))</td>
                <td><a href="\(link)">\(name)</a></td>
                <td class="number">\(escape(size(clip.size)))</td>
                <td><code>\(escape(clip.keyIdentifier))</code></td>
                <td><span class="state \(playable ? "live" : "dead")">\(escape(clip.keyState))</span></td>
                <td>\(player)</td>
                </tr>

                """
        }
        let table = clips.isEmpty
            ? "<p>There are no clips yet.</p>"
            : """
                <table>
                <thead><tr><th>Recorded</th><th>Clip</th><th>Size</th><th>Key identifier</th><th>Key state</th><th>Play</th></tr></thead>
                <tbody>
                \(rows)</tbody>
                </table>
                """
        return page(title: "Clips", siteTitle: siteTitle, user: user, csrf: csrf, body: """
            <h1>Clips <span class="count">\(clips.count)</span></h1>
            \(table)
            """)
    }

    static func player(siteTitle: String, user: String, csrf: String, clip: ViewerClip?, name: String) -> String {
        let link = "/clips/\(escape(name))/video"
        var details = ""
        if let clip {
            details = """
                <dl>
                <dt>Recorded</dt><dd>\(escape(time(clip.recorded)))</dd>
                <dt>Size</dt><dd>\(escape(size(clip.size)))</dd>
                <dt>Key identifier</dt><dd><code>\(escape(clip.keyIdentifier))</code></dd>
                <dt>Key state</dt><dd>\(escape(clip.keyState))</dd>
                </dl>
                """
        }
        return page(title: name, siteTitle: siteTitle, user: user, csrf: csrf, body: """
            <p><a href="/">← All clips</a></p>
            <h1>\(escape(name))</h1>
            <video class="player" controls autoplay muted playsinline src="\(link)">Your browser cannot play this video.</video>
            \(details)
            """)
    }

    static func error(siteTitle: String, status: Int, title: String, message: String, user: String? = nil, csrf: String? = nil) -> String {
        page(title: title, siteTitle: siteTitle, user: user, csrf: csrf, body: """
            <section class="problem">
            <h1>\(escape(title)) <span class="status">\(status)</span></h1>
            <p>\(escape(message))</p>
            <p><a href="/">Back to the clips</a></p>
            </section>
            """)
    }

    static func isDestroyed(_ state: String) -> Bool {
        state.lowercased().contains("destroyed")
    }

    static func time(_ date: Date?) -> String {
        guard let date else { return "unknown" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withDashSeparatorInDate, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return formatter.string(from: date) + " UTC"
    }

    static func size(_ bytes: Int) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f", value) + " " + units[unit]
    }

    static let stylesheet = """
        :root { color-scheme: light; --ink: #1d2430; --muted: #5b6575; --line: #d9dee6; --accent: #1f5fbf; --bad: #a3261b; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f5f7fa; }
        header { display: flex; align-items: center; justify-content: space-between; padding: 10px 24px; background: #16202e; color: #fff; }
        header a.site { color: #fff; font-weight: 600; text-decoration: none; font-size: 17px; }
        header form.account { display: flex; gap: 12px; align-items: center; margin: 0; }
        header button { background: transparent; color: #fff; border: 1px solid #8a96a8; border-radius: 4px; padding: 3px 10px; cursor: pointer; }
        main { max-width: 1100px; margin: 24px auto; padding: 0 24px; }
        h1 { font-size: 22px; margin: 0 0 16px; }
        h1 .count, h1 .status { color: var(--muted); font-weight: 400; font-size: 16px; }
        table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
        th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: middle; }
        th { background: #eef1f5; font-weight: 600; font-size: 13px; color: var(--muted); }
        td.number { text-align: right; white-space: nowrap; }
        code { font-size: 12px; }
        .state { padding: 1px 8px; border-radius: 10px; font-size: 13px; }
        .state.live { background: #e3f3e6; color: #1d6b2c; }
        .state.dead { background: #fbe5e3; color: var(--bad); }
        .shredded { color: var(--bad); font-size: 13px; }
        video { background: #000; border-radius: 3px; display: block; }
        video.player { width: 100%; max-width: 640px; margin: 8px 0 16px; }
        dl { display: grid; grid-template-columns: max-content auto; gap: 4px 16px; }
        dt { color: var(--muted); }
        dd { margin: 0; }
        section.login { max-width: 360px; margin: 48px auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 24px; }
        section.login label { display: block; margin: 12px 0 4px; font-weight: 600; }
        section.login input { width: 100%; padding: 7px 9px; border: 1px solid #b8c0cc; border-radius: 4px; font: inherit; }
        section.login button { margin-top: 18px; width: 100%; padding: 8px; background: var(--accent); color: #fff; border: 0; border-radius: 4px; font: inherit; cursor: pointer; }
        .error { color: var(--bad); background: #fbe5e3; padding: 8px 10px; border-radius: 4px; }
        section.problem { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 24px; }
        a { color: var(--accent); }
        footer { max-width: 1100px; margin: 24px auto; padding: 0 24px; color: var(--muted); font-size: 12px; }

        """
}
