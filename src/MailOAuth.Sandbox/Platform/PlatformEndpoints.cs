using System.Text.Json;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox.Platform;

/// <summary>
/// The reference reseller platform's API (docs/sandbox.md "Reseller platform"): the contract's
/// default profile under <c>/api/v1/reseller/</c> (Bearer token) and an alternative vendor's
/// shape under <c>/rest/mail/</c> (<c>X-Api-Key</c>), both over the same stored settings.
/// Logged with kind <c>platform</c>; injected faults apply.
/// </summary>
public static class PlatformEndpoints
{
    public const string JsonContentType = "application/json; charset=utf-8";

    public static void Map(IEndpointRouteBuilder routes, SandboxRuntime runtime)
    {
        // Default profile (docs/design.md#platform-contract).
        routes.Map("/api/v1/reseller/smtp-settings", context => SettingsAsync(context, runtime, PlatformProfile.Default));
        routes.Map("/api/v1/reseller/smtp-settings/test", context => TestAsync(context, runtime, PlatformProfile.Default));
        routes.Map("/api/{**rest}", NotFoundAsync);

        // Alternative profile: other paths, field names and authentication; the same settings.
        routes.Map("/rest/mail/oauth-config", context => SettingsAsync(context, runtime, PlatformProfile.Alternative));
        routes.Map("/rest/mail/send-test", context => TestAsync(context, runtime, PlatformProfile.Alternative));
        routes.Map("/rest/{**rest}", NotFoundAsync);

        AdminPage.Map(routes, runtime);
    }

    private static bool IsAlternative(PlatformProfile profile) => ReferenceEquals(profile, PlatformProfile.Alternative);

    /// <summary>GET → the stored view; PUT (default) / POST (alternative) → validate all, store, the stored view.</summary>
    private static async Task SettingsAsync(HttpContext context, SandboxRuntime runtime, PlatformProfile profile)
    {
        var state = runtime.Platform;
        var method = context.Request.Method;
        var write = IsAlternative(profile) ? HttpMethods.IsPost(method) : HttpMethods.IsPut(method);
        if (!HttpMethods.IsGet(method) && !write)
        {
            await MethodNotAllowedAsync(context, IsAlternative(profile) ? "GET, POST" : "GET, PUT");
            return;
        }

        if (await AuthorizeAsync(context, state, profile, write) is false)
        {
            return;
        }

        if (!write)
        {
            await WriteJsonAsync(context, 200, View(state.Settings, profile));
            return;
        }

        var (root, bodyError) = await ReadObjectAsync(context);
        if (bodyError is not null)
        {
            state.RecordSaveError([bodyError], null, null, null);
            await ErrorsAsync(context, 400, [bodyError]);
            return;
        }

        var (input, errors, typed) = profile.ValidateSettings(root);
        if (input is null)
        {
            // A rejected save changes nothing.
            state.RecordSaveError(errors, typed.TenantId, typed.ClientId, typed.Sender);
            await ErrorsAsync(context, 422, errors);
            return;
        }

        var settings = state.Save(input.TenantId, input.ClientId, input.ClientSecret, input.SenderAddress)!; // the API always sends a secret
        await WriteJsonAsync(context, 200, View(settings, profile));
    }

    /// <summary>POST {to} / {recipient} → a real test email through the sandbox's own token endpoint and sendMail.</summary>
    private static async Task TestAsync(HttpContext context, SandboxRuntime runtime, PlatformProfile profile)
    {
        var state = runtime.Platform;
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await MethodNotAllowedAsync(context, "POST");
            return;
        }

        if (await AuthorizeAsync(context, state, profile, write: true) is false)
        {
            return;
        }

        var (root, bodyError) = await ReadObjectAsync(context);
        if (bodyError is not null)
        {
            await ErrorsAsync(context, 400, [bodyError]);
            return;
        }

        var (to, recipientError) = profile.ValidateRecipient(root);
        if (recipientError is not null)
        {
            await ErrorsAsync(context, 422, [recipientError]);
            return;
        }

        var result = await state.Mailer.SendTestAsync(state, runtime.Outbox, to!, context.RequestAborted);
        await WriteJsonAsync(context, 200, IsAlternative(profile)
            ? result.Delivered
                ? new JsonObject { ["ok"] = true, ["id"] = result.MessageId }
                : new JsonObject { ["ok"] = false, ["problem"] = result.Error!.Message }
            : result.Delivered
                ? new JsonObject { ["delivered"] = true, ["messageId"] = result.MessageId }
                : new JsonObject
                {
                    ["delivered"] = false,
                    ["error"] = new JsonObject { ["code"] = result.Error!.Code, ["message"] = result.Error.Message },
                });
    }

    /// <summary>The stored view in the profile's names; every field null when nothing is configured. Never the secret.</summary>
    public static JsonObject View(PlatformSettings? settings, PlatformProfile profile) => IsAlternative(profile)
        ? new JsonObject
        {
            ["mailProvider"] = settings is null ? null : PlatformProfile.Alternative.ProviderValue,
            ["directoryId"] = settings?.TenantId,
            ["applicationId"] = settings?.ClientId,
            ["fromAddress"] = settings?.SenderAddress,
            ["secretHint"] = settings?.SecretHint,
            ["modified"] = settings is null ? null : PlatformState.Time(settings.UpdatedAt),
        }
        : new JsonObject
        {
            ["provider"] = settings is null ? null : PlatformProfile.ProviderName,
            ["tenantId"] = settings?.TenantId,
            ["clientId"] = settings?.ClientId,
            ["senderAddress"] = settings?.SenderAddress,
            ["clientSecretHint"] = settings?.SecretHint,
            ["updatedAt"] = settings is null ? null : PlatformState.Time(settings.UpdatedAt),
        };

    /// <summary><c>GET /_sandbox/platform</c>: the platform's state for tests and people (never the secret).</summary>
    public static JsonObject Snapshot(PlatformState state)
    {
        var (_, savedAt, saveError, test) = state.Banner;
        return new JsonObject
        {
            ["configured"] = state.Settings is not null,
            ["settings"] = View(state.Settings, PlatformProfile.Default),
            ["lastSavedAt"] = savedAt is null ? null : PlatformState.Time(savedAt.Value),
            ["lastTest"] = test is null ? null : new JsonObject
            {
                ["time"] = PlatformState.Time(test.Time),
                ["to"] = test.To,
                ["delivered"] = test.Delivered,
                ["messageId"] = test.MessageId,
                ["error"] = test.Error is null ? null : new JsonObject
                {
                    ["stage"] = test.Error.Stage,
                    ["code"] = test.Error.Code,
                    ["message"] = test.Error.Message,
                },
            },
            ["lastSaveError"] = saveError is null ? null : new JsonObject
            {
                ["time"] = PlatformState.Time(saveError.Time),
                ["errors"] = ErrorsArray(saveError.Errors),
            },
            ["settingsFile"] = state.SettingsPath,
            ["keyDirectory"] = state.KeyDirectory,
        };
    }

    /// <summary>
    /// Bearer (default profile) or X-Api-Key (alternative): 401 when missing or unknown, 403 when
    /// a read-only token tries to change something. False when the answer has been written.
    /// </summary>
    private static async Task<bool> AuthorizeAsync(HttpContext context, PlatformState state, PlatformProfile profile, bool write)
    {
        var alternative = IsAlternative(profile);
        string? presented;
        if (alternative)
        {
            presented = context.Request.Headers["X-Api-Key"].ToString();
        }
        else
        {
            var header = context.Request.Headers.Authorization.ToString();
            presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        }

        var access = state.Authorize(presented);
        if (access == PlatformAccess.None)
        {
            if (!alternative)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
            }

            await ErrorsAsync(context, 401, [new(null, alternative ? "Invalid API key." : "Invalid or missing API token.")]);
            return false;
        }

        if (write && access != PlatformAccess.ReadWrite)
        {
            await ErrorsAsync(context, 403, [new(null, alternative ? "This API key may not change SMTP settings." : "This API token may not change SMTP settings.")]);
            return false;
        }

        return true;
    }

    private static async Task<(JsonElement Root, PlatformFieldError? Error)> ReadObjectAsync(HttpContext context)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (document.RootElement.Clone(), null)
                : (default, new PlatformFieldError(null, "The request body must be a JSON object."));
        }
        catch (JsonException)
        {
            return (default, new PlatformFieldError(null, "The request body is not valid JSON."));
        }
    }

    private static Task NotFoundAsync(HttpContext context) => ErrorsAsync(context, 404, [new(null, "Not found.")]);

    private static Task MethodNotAllowedAsync(HttpContext context, string allow)
    {
        context.Response.Headers.Allow = allow;
        return ErrorsAsync(context, 405, [new(null, $"Method {context.Request.Method} is not allowed here.")]);
    }

    /// <summary><c>{"errors":[{"field","message"}]}</c> — <c>field</c> null for the request as a whole.</summary>
    public static Task ErrorsAsync(HttpContext context, int status, IReadOnlyList<PlatformFieldError> errors) =>
        WriteJsonAsync(context, status, new JsonObject { ["errors"] = ErrorsArray(errors) });

    private static JsonArray ErrorsArray(IReadOnlyList<PlatformFieldError> errors) =>
        new([.. errors.Select(e => (JsonNode)new JsonObject { ["field"] = e.Field, ["message"] = e.Message })]);

    /// <summary>The platform's error text for an injected fault's status (FaultMiddleware).</summary>
    public static string FaultMessage(int status) => status switch
    {
        400 => "Bad request.",
        401 => "Invalid or missing API token.",
        403 => "Forbidden.",
        404 => "Not found.",
        429 => "Too many requests. Please try again later.",
        500 => "An unexpected error occurred.",
        502 or 503 or 504 => "The service is temporarily unavailable. Please try again later.",
        _ => $"The request failed (HTTP {status}).",
    };

    private static Task WriteJsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.Headers.CacheControl = "no-store";
        return SandboxJson.WriteAsync(context, status, SandboxJson.Serialize(body), JsonContentType);
    }
}
