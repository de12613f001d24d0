using System.Globalization;
using System.Net;
using System.Text;
using MailOAuth.Sandbox.Entra;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Platform;

/// <summary>
/// Admin → Reseller Settings → SMTP Email Settings: plain server-rendered HTML, no script, no
/// authentication (a local sandbox), forms answered by POST-redirect-GET. The last error of a
/// save or a test is shown in a red banner at the top; a delivered test in a green one. Every
/// value is HTML-encoded; the client secret is never echoed (a password field, blank = keep).
/// </summary>
public static class AdminPage
{
    public const string PagePath = "/admin/reseller-settings/smtp";
    public const string TestPath = PagePath + "/test";

    public static void Map(IEndpointRouteBuilder routes, SandboxRuntime runtime)
    {
        routes.Map(PagePath, context => PageAsync(context, runtime));
        routes.Map(TestPath, context => TestAsync(context, runtime));
        routes.Map("/admin", RedirectToPage);
        routes.Map("/admin/reseller-settings", RedirectToPage);
    }

    private static Task RedirectToPage(HttpContext context)
    {
        context.Response.Redirect(PagePath);
        return Task.CompletedTask;
    }

    private static async Task PageAsync(HttpContext context, SandboxRuntime runtime)
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        {
            await WriteHtmlAsync(context, 200, Render(runtime.Platform));
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = "GET, POST";
            await WriteHtmlAsync(context, 405, Simple("Method not allowed"));
            return;
        }

        // Save: the same checks as the API; a blank secret keeps the stored one.
        var state = runtime.Platform;
        var form = await TokenEndpoint.ReadFormAsync(context);
        var tenantId = Field(form, "tenantId");
        var clientId = Field(form, "clientId");
        var secret = Field(form, "clientSecret");
        var sender = Field(form, "senderAddress");
        var keepSecret = secret is null && state.Settings is not null;
        var errors = PlatformProfile.Default.ValidateFields(tenantId, clientId, secret, sender, secretRequired: !keepSecret);
        if (errors.Count > 0 || state.Save(tenantId!, clientId!, secret, sender!) is null)
        {
            state.RecordSaveError(errors.Count > 0 ? errors : [new("clientSecret", PlatformProfile.Default.ClientSecretMessage)], tenantId, clientId, sender);
        }

        SeeOther(context);
    }

    private static async Task TestAsync(HttpContext context, SandboxRuntime runtime)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await WriteHtmlAsync(context, 405, Simple("Method not allowed"));
            return;
        }

        var state = runtime.Platform;
        var form = await TokenEndpoint.ReadFormAsync(context);
        var to = Field(form, "to");
        if (!DomainNames.IsEmailAddress(to))
        {
            state.RecordTest(new PlatformTestResult(state.Now, to ?? "", null,
                new PlatformTestError("input", "InvalidRecipient", PlatformProfile.Default.RecipientMessage)));
        }
        else
        {
            await state.Mailer.SendTestAsync(state, runtime.Outbox, to!, context.RequestAborted);
        }

        SeeOther(context);
    }

    /// <summary>The page. Internal for tests of the rendering.</summary>
    internal static string Render(PlatformState state)
    {
        var settings = state.Settings;
        var (lastEvent, savedAt, saveError, test) = state.Banner;
        var showTyped = lastEvent == PlatformEvent.SaveFailed && saveError is not null;
        var tenantId = showTyped ? saveError!.TenantId : settings?.TenantId;
        var clientId = showTyped ? saveError!.ClientId : settings?.ClientId;
        var sender = showTyped ? saveError!.SenderAddress : settings?.SenderAddress;
        var fieldErrors = showTyped
            ? saveError!.Errors.Where(e => e.Field is not null).ToDictionary(e => e.Field!, e => e.Message)
            : new Dictionary<string, string>();

        var html = new StringBuilder(8192);
        html.Append("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>SMTP Email Settings · Reseller Settings</title>
            <style>
            :root { --ink:#1f2937; --muted:#6b7280; --line:#e5e7eb; --accent:#2563eb; --bg:#f5f6f8; }
            * { box-sizing: border-box; }
            body { margin:0; font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; color:var(--ink); background:var(--bg); }
            .topbar { background:#111827; color:#fff; padding:10px 24px; font-weight:600; letter-spacing:.2px; }
            .topbar small { color:#9ca3af; font-weight:400; margin-left:8px; }
            main { max-width:760px; margin:0 auto; padding:20px 24px 40px; }
            .crumbs { color:var(--muted); font-size:13px; margin:4px 0 2px; }
            h1 { font-size:22px; margin:0 0 14px; }
            h2 { font-size:16px; margin:0 0 12px; }
            .banner { border-radius:6px; padding:12px 14px; margin:0 0 16px; border:1px solid; overflow-wrap:anywhere; }
            .banner.error { background:#fef2f2; border-color:#fca5a5; color:#991b1b; }
            .banner.ok { background:#f0fdf4; border-color:#86efac; color:#166534; }
            .banner .meta { font-size:12px; opacity:.8; margin-top:4px; }
            .card { background:#fff; border:1px solid var(--line); border-radius:8px; padding:18px 20px; margin:0 0 16px; }
            .status { display:flex; flex-wrap:wrap; gap:6px 20px; color:var(--muted); font-size:13px; margin:0 0 14px; }
            .status b { color:var(--ink); font-weight:600; }
            label { display:block; font-weight:600; font-size:13px; margin:12px 0 4px; }
            input[type=text], input[type=password] { width:100%; padding:8px 10px; border:1px solid #d1d5db; border-radius:5px; font:inherit; background:#fff; }
            input.invalid { border-color:#dc2626; background:#fffafa; }
            .help { color:var(--muted); font-size:12px; margin-top:3px; }
            .field-error { color:#b91c1c; font-size:12px; margin-top:3px; }
            .actions { margin-top:16px; display:flex; gap:10px; align-items:center; }
            button { background:var(--accent); color:#fff; border:0; border-radius:5px; padding:8px 16px; font:inherit; font-weight:600; cursor:pointer; white-space:nowrap; }
            button.secondary { background:#374151; }
            .row { display:flex; gap:10px; align-items:flex-end; }
            .row > div { flex:1; }
            .last { color:var(--muted); font-size:13px; margin:12px 0 0; overflow-wrap:anywhere; }
            code { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12px; }
            footer { color:var(--muted); font-size:12px; text-align:center; padding:0 24px 24px; }
            </style>
            </head>
            <body>
            <div class="topbar">Reseller Platform<small>MailOAuth sandbox · reference platform</small></div>
            <main>
            <div class="crumbs">Admin › Reseller Settings</div>
            <h1>Reseller Settings › SMTP Email Settings</h1>

            """);

        AppendBanner(html, lastEvent, savedAt, saveError, test);

        html.Append("<div class=\"status\">")
            .Append("<span>Provider: <b>Microsoft 365 — Microsoft Graph (OAuth 2.0)</b></span>")
            .Append("<span>Last updated: <b>").Append(settings is null ? "never (not configured)" : E(Display(settings.UpdatedAt))).Append("</b></span>")
            .Append("</div>\n");

        html.Append("<section class=\"card\">\n<h2>Microsoft 365 OAuth</h2>\n")
            .Append("<form method=\"post\" action=\"").Append(PagePath).Append("\">\n");
        AppendInput(html, "tenantId", "Tenant ID", tenantId, fieldErrors, "Directory (tenant) ID: a GUID, or a domain such as contoso.onmicrosoft.com.");
        AppendInput(html, "clientId", "Client ID", clientId, fieldErrors, "Application (client) ID of the app registration.");

        var secretHelp = settings is null
            ? "The client secret <em>value</em> (not the secret ID)."
            : settings.SecretHint.Length > 0
                ? $"A secret is stored: <code>{E(settings.SecretHint)}••••••••</code>. Leave blank to keep it."
                : "A secret is stored. Leave blank to keep it.";
        html.Append("<label for=\"clientSecret\">Client Secret</label>\n")
            .Append("<input type=\"password\" id=\"clientSecret\" name=\"clientSecret\" autocomplete=\"new-password\"")
            .Append(fieldErrors.ContainsKey("clientSecret") ? " class=\"invalid\"" : "")
            .Append(" placeholder=\"").Append(settings is null ? "Client secret value" : "Leave blank to keep the current secret").Append("\">\n");
        AppendFieldError(html, "clientSecret", fieldErrors);
        html.Append("<div class=\"help\">").Append(secretHelp).Append("</div>\n");

        AppendInput(html, "senderAddress", "Sender mailbox", sender, fieldErrors, "A licensed Exchange Online mailbox the app sends through.");
        html.Append("<div class=\"actions\"><button type=\"submit\">Save</button></div>\n</form>\n</section>\n");

        html.Append("<section class=\"card\">\n<h2>Send test email</h2>\n")
            .Append("<form method=\"post\" action=\"").Append(TestPath).Append("\">\n")
            .Append("<div class=\"row\"><div><label for=\"to\">To</label>")
            .Append("<input type=\"text\" id=\"to\" name=\"to\" inputmode=\"email\" placeholder=\"admin@example.com\" value=\"").Append(E(test?.To)).Append("\"></div>")
            .Append("<div style=\"flex:0 0 auto\"><button type=\"submit\" class=\"secondary\">Send test email</button></div></div>\n</form>\n");
        if (test is not null)
        {
            html.Append("<p class=\"last\">Last test: ").Append(E(Display(test.Time))).Append(" to ").Append(E(test.To)).Append(" — ")
                .Append(test.Delivered
                    ? $"delivered (message ID <code>{E(test.MessageId)}</code>)"
                    : $"failed: <code>{E(test.Error!.Code)}</code>")
                .Append("</p>\n");
        }

        html.Append("</section>\n</main>\n<footer>API: <code>GET|PUT /api/v1/reseller/smtp-settings</code>, <code>POST /api/v1/reseller/smtp-settings/test</code> (Bearer token)</footer>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendBanner(StringBuilder html, PlatformEvent lastEvent, DateTimeOffset? savedAt, PlatformSaveError? saveError, PlatformTestResult? test)
    {
        switch (lastEvent)
        {
            case PlatformEvent.SaveFailed when saveError is not null:
                Banner(html, "error", "Settings were not saved: " + string.Join(" ", saveError.Errors.Select(e => e.Message)),
                    $"Nothing was changed · {Display(saveError.Time)}");
                break;
            case PlatformEvent.TestFailed when test?.Error is { } error:
                Banner(html, "error", BannerText(error), $"Test email to {test.To} · {Display(test.Time)}");
                break;
            case PlatformEvent.TestDelivered when test is not null:
                Banner(html, "ok", $"Test email sent to {test.To}. Message ID: {test.MessageId}", Display(test.Time));
                break;
            case PlatformEvent.Saved when savedAt is not null:
                Banner(html, "ok", "SMTP Email Settings saved.", Display(savedAt.Value));
                break;
        }
    }

    /// <summary>What the page says at its top for a failed test: the service's own message, verbatim.</summary>
    public static string BannerText(PlatformTestError error) => error.Stage switch
    {
        "token" => $"Authentication failed: {error.Message}",
        "graph" => $"Sending failed: {error.Code}: {error.Message}",
        _ => error.Message,
    };

    private static void Banner(StringBuilder html, string kind, string text, string meta) =>
        html.Append("<div class=\"banner ").Append(kind).Append("\" role=\"").Append(kind == "error" ? "alert" : "status").Append("\">")
            .Append(E(text)).Append("<div class=\"meta\">").Append(E(meta)).Append("</div></div>\n");

    private static void AppendInput(StringBuilder html, string name, string label, string? value, Dictionary<string, string> errors, string help)
    {
        html.Append("<label for=\"").Append(name).Append("\">").Append(label).Append("</label>\n")
            .Append("<input type=\"text\" id=\"").Append(name).Append("\" name=\"").Append(name).Append("\" value=\"").Append(E(value)).Append('"')
            .Append(errors.ContainsKey(name) ? " class=\"invalid\"" : "")
            .Append(" autocomplete=\"off\" spellcheck=\"false\">\n");
        AppendFieldError(html, name, errors);
        html.Append("<div class=\"help\">").Append(E(help)).Append("</div>\n");
    }

    private static void AppendFieldError(StringBuilder html, string name, Dictionary<string, string> errors)
    {
        if (errors.TryGetValue(name, out var message))
        {
            html.Append("<div class=\"field-error\">").Append(E(message)).Append("</div>\n");
        }
    }

    private static string Simple(string title) =>
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{E(title)}</title></head><body><h1>{E(title)}</h1><p><a href=\"{PagePath}\">SMTP Email Settings</a></p></body></html>";

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string Display(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string? Field(IFormCollection form, string name)
    {
        var value = form[name].ToString();
        return value.Length == 0 ? null : value;
    }

    /// <summary>POST-redirect-GET.</summary>
    private static void SeeOther(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = PagePath;
        context.Response.Headers.CacheControl = "no-store";
    }

    private static Task WriteHtmlAsync(HttpContext context, int status, string html)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        return SandboxJson.WriteAsync(context, status, html, "text/html; charset=utf-8");
    }
}
