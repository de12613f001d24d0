using MailOAuth.Core.Diagnostics;
using Xunit;

namespace MailOAuth.Core.Tests.Diagnostics;

/// <summary>
/// Every error body the module must recognise, copied from the sources docs/service-behaviour.md cites
/// (GUIDs filled in where the reference elides them), run through the one parser and the one catalog.
/// </summary>
public class WireBodyMappingTests
{
    private const string AppId = "1671f074-56e2-4c37-873b-b7b07a120b18";
    private const string TraceId = "0f1b2c3d-4e5f-4a6b-9c7d-8e9fa0b1c2d3";
    private const string CorrelationId = "a1b2c3d4-e5f6-4789-9abc-def012345678";
    private const string GraphRequestId = "b04ace1e-13a0-4940-b489-f86dcca10985";
    private const string GraphClientRequestId = "c15bdf2f-24b1-4a51-c59a-097eddb21a96";

    // ---- Entra token / discovery bodies (docs/service-behaviour.md#entra-error-body, #token-request and the AADSTS entries after it, #discovery) ----

    // docs/service-behaviour.md#aadsts-invalid-secret, 2022+ text, 2024+ single-space separators.
    private static readonly string Entra7000215NewSpace = Fill("""
        {"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '@APPID@'. Trace ID: @TRACE@ Correlation ID: @CORR@ Timestamp: 2024-07-15 11:14:02Z","error_codes":[7000215],"timestamp":"2024-07-15 11:14:02Z","trace_id":"@TRACE@","correlation_id":"@CORR@","error_uri":"https://login.microsoftonline.com/error?code=7000215"}
        """);

    // docs/service-behaviour.md#aadsts-invalid-secret, 2022+ text, 2016–2023 CRLF separators.
    private static readonly string Entra7000215NewCrlf = Fill("""
        {"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '@APPID@'.\r\nTrace ID: @TRACE@\r\nCorrelation ID: @CORR@\r\nTimestamp: 2023-05-10 08:01:44Z","error_codes":[7000215],"timestamp":"2023-05-10 08:01:44Z","trace_id":"@TRACE@","correlation_id":"@CORR@","error_uri":"https://login.microsoftonline.com/error?code=7000215"}
        """);

    // docs/service-behaviour.md#aadsts-invalid-secret, old text (2019–2021), CRLF.
    private static readonly string Entra7000215OldCrlf = Fill("""
        {"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret is provided.\r\nTrace ID: @TRACE@\r\nCorrelation ID: @CORR@\r\nTimestamp: 2020-03-02 09:12:55Z","error_codes":[7000215],"timestamp":"2020-03-02 09:12:55Z","trace_id":"@TRACE@","correlation_id":"@CORR@","error_uri":"https://login.microsoftonline.com/error?code=7000215"}
        """);

    // docs/service-behaviour.md#aadsts-invalid-secret, old text, single space.
    private static readonly string Entra7000215OldSpace = Fill("""
        {"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret is provided. Trace ID: @TRACE@ Correlation ID: @CORR@ Timestamp: 2024-08-02 10:00:01Z","error_codes":[7000215],"timestamp":"2024-08-02 10:00:01Z","trace_id":"@TRACE@","correlation_id":"@CORR@","error_uri":"https://login.microsoftonline.com/error?code=7000215"}
        """);

    // docs/service-behaviour.md#aadsts-expired-secret, 2022+ text.
    private static readonly string Entra7000222 = Fill("""
        {"error":"invalid_client","error_description":"AADSTS7000222: The provided client secret keys for app '@APPID@' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds. Trace ID: @TRACE@ Correlation ID: @CORR@ Timestamp: 2024-11-20 14:03:12Z","error_codes":[7000222],"timestamp":"2024-11-20 14:03:12Z","trace_id":"@TRACE@","correlation_id":"@CORR@","error_uri":"https://login.microsoftonline.com/error?code=7000222"}
        """);

    // docs/service-behaviour.md#aadsts-expired-secret, 2020–2021 text, CRLF.
    private static readonly string Entra7000222Old = Fill("""
        {"error":"invalid_client","error_description":"AADSTS7000222: The provided client secret keys are expired. Visit the Azure Portal to create new keys for your app, or consider using certificate credentials for added security: https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials\r\nTrace ID: @TRACE@\r\nCorrelation ID: @CORR@\r\nTimestamp: 2021-01-05 07:45:10Z","error_codes":[7000222],"timestamp":"2021-01-05 07:45:10Z","trace_id":"@TRACE@","correlation_id":"@CORR@","error_uri":"https://login.microsoftonline.com/error?code=7000222"}
        """);

    // docs/service-behaviour.md#aadsts-app-not-found.
    private static readonly string Entra700016 = Fill("""
        {"error":"unauthorized_client","error_description":"AADSTS700016: Application with identifier '@APPID@' was not found in the directory 'Default Directory'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant. Trace ID: @TRACE@ Correlation ID: @CORR@ Timestamp: 2024-09-01 12:00:00Z","error_codes":[700016],"timestamp":"2024-09-01 12:00:00Z","trace_id":"@TRACE@","correlation_id":"@CORR@","error_uri":"https://login.microsoftonline.com/error?code=700016"}
        """);

    // docs/service-behaviour.md#aadsts-tenant-not-found, token endpoint (invalid_request).
    private static readonly string Entra90002Token = Fill("""
        {"error":"invalid_request","error_description":"AADSTS90002: Tenant 'nowhere.example' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant. Trace ID: @TRACE@ Correlation ID: @CORR@ Timestamp: 2025-08-11 09:30:00Z","error_codes":[90002],"timestamp":"2025-08-11 09:30:00Z","trace_id":"@TRACE@","correlation_id":"@CORR@","error_uri":"https://login.microsoftonline.com/error?code=90002"}
        """);

    // docs/service-behaviour.md#discovery, OIDC discovery (invalid_tenant), CRLF.
    private static readonly string Entra90002Oidc = Fill("""
        {"error":"invalid_tenant","error_description":"AADSTS90002: Tenant '7e4eceb3-77b1-4b61-8729-9010f468a787' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.\r\nTrace ID: @TRACE@\r\nCorrelation ID: @CORR@\r\nTimestamp: 2022-10-24 16:58:16Z","error_codes":[90002],"timestamp":"2022-10-24 16:58:16Z","trace_id":"@TRACE@","correlation_id":"@CORR@","error_uri":"https://login.microsoftonline.com/error?code=90002"}
        """);

    // docs/service-behaviour.md#aadsts-tenant-not-found.
    private static readonly string Entra900023 = Fill("""
        {"error":"invalid_request","error_description":"AADSTS900023: Specified tenant identifier '63122682-bd96-47fd-97ab-95a76ce699a' is neither a valid DNS name, nor a valid external domain. Trace ID: @TRACE@ Correlation ID: @CORR@ Timestamp: 2024-04-03 18:22:07Z","error_codes":[900023],"timestamp":"2024-04-03 18:22:07Z","trace_id":"@TRACE@","correlation_id":"@CORR@","error_uri":"https://login.microsoftonline.com/error?code=900023"}
        """);

    // docs/service-behaviour.md#aadsts-conditional-access, word for word with its suberror and claims.
    private static readonly string Entra53003 = Fill("""
        {"error":"invalid_grant","error_description":"AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance. Trace ID: @TRACE@ Correlation ID: @CORR@ Timestamp: 2025-03-07 21:25:44Z","error_codes":[53003],"timestamp":"2025-03-07 21:25:44Z","trace_id":"@TRACE@","correlation_id":"@CORR@","error_uri":"https://login.microsoftonline.com/error?code=53003","suberror":"message_only","claims":"{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"01234567-89ab-cdef-fedc-ba9876543210\"]}}}"}
        """);

    // docs/service-behaviour.md#aadsts-missing-credential.
    private static readonly string Entra7000218 = Fill("""
        {"error":"invalid_client","error_description":"AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'. Trace ID: @TRACE@ Correlation ID: @CORR@ Timestamp: 2024-02-14 06:40:31Z","error_codes":[7000218],"timestamp":"2024-02-14 06:40:31Z","trace_id":"@TRACE@","correlation_id":"@CORR@","error_uri":"https://login.microsoftonline.com/error?code=7000218"}
        """);

    public static TheoryData<string, int, string, DiagnosisCode, string, string> EntraCases() => new()
    {
        // name, status, body, expected code, expected ServiceCode, expected ServiceMessage (no Trace ID suffix)
        { "7000215 new text, single space", 401, Entra7000215NewSpace, DiagnosisCode.InvalidClientSecret, "AADSTS7000215",
            $"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{AppId}'." },
        { "7000215 new text, CRLF", 401, Entra7000215NewCrlf, DiagnosisCode.InvalidClientSecret, "AADSTS7000215",
            $"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{AppId}'." },
        { "7000215 old text, CRLF", 401, Entra7000215OldCrlf, DiagnosisCode.InvalidClientSecret, "AADSTS7000215",
            "AADSTS7000215: Invalid client secret is provided." },
        { "7000215 old text, single space", 401, Entra7000215OldSpace, DiagnosisCode.InvalidClientSecret, "AADSTS7000215",
            "AADSTS7000215: Invalid client secret is provided." },
        { "7000222", 401, Entra7000222, DiagnosisCode.ClientSecretExpired, "AADSTS7000222",
            $"AADSTS7000222: The provided client secret keys for app '{AppId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds." },
        { "7000222 old text, CRLF", 401, Entra7000222Old, DiagnosisCode.ClientSecretExpired, "AADSTS7000222",
            "AADSTS7000222: The provided client secret keys are expired. Visit the Azure Portal to create new keys for your app, or consider using certificate credentials for added security: https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials" },
        { "700016", 400, Entra700016, DiagnosisCode.ApplicationNotFound, "AADSTS700016",
            $"AADSTS700016: Application with identifier '{AppId}' was not found in the directory 'Default Directory'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant." },
        { "90002 token endpoint", 400, Entra90002Token, DiagnosisCode.TenantNotFound, "AADSTS90002",
            "AADSTS90002: Tenant 'nowhere.example' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant." },
        { "90002 OIDC invalid_tenant", 400, Entra90002Oidc, DiagnosisCode.TenantNotFound, "AADSTS90002",
            "AADSTS90002: Tenant '7e4eceb3-77b1-4b61-8729-9010f468a787' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant." },
        { "900023", 400, Entra900023, DiagnosisCode.TenantNotFound, "AADSTS900023",
            "AADSTS900023: Specified tenant identifier '63122682-bd96-47fd-97ab-95a76ce699a' is neither a valid DNS name, nor a valid external domain." },
        { "53003 with suberror and claims", 400, Entra53003, DiagnosisCode.ConditionalAccessBlocked, "AADSTS53003",
            "AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance." },
        { "7000218", 401, Entra7000218, DiagnosisCode.InvalidClientSecret, "AADSTS7000218",
            "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'." },
    };

    /// <summary>Puts the ids into a body copied from the reference (placeholders keep the JSON verbatim).</summary>
    private static string Fill(string template, string appId = AppId) => template
        .Replace("@INNER@", Inner)
        .Replace("@APPID@", appId)
        .Replace("@TRACE@", TraceId)
        .Replace("@CORR@", CorrelationId)
        .Trim();

    private static DiagnosisContext Context(bool secretLooksLikeId = false, bool? tokenHasMailSend = null) => new()
    {
        TenantId = "contoso.com",
        ClientId = AppId,
        SenderAddress = "sender@contoso.com",
        FromAddress = "other@contoso.com",
        EnvironmentName = "Global",
        SecretLooksLikeSecretId = secretLooksLikeId,
        TokenHasMailSend = tokenHasMailSend,
    };

    [Theory]
    [MemberData(nameof(EntraCases))]
    public void Entra_body_maps_to_its_diagnosis(string name, int status, string body, DiagnosisCode expected, string serviceCode, string serviceMessage)
    {
        var error = ServiceError.FromEntra(status, body);
        var d = DiagnosisCatalog.Explain(error, Context());

        Assert.True(expected == d.Code, $"{name}: expected {expected}, got {d.Code}");
        Assert.Equal(ServiceKind.Entra, error.Service);
        Assert.Equal(serviceCode, d.ServiceCode);
        Assert.Equal(status, d.HttpStatus);
        Assert.Equal(TraceId, d.RequestId);
        Assert.Equal(CorrelationId, d.CorrelationId);
        Assert.Equal(serviceMessage, d.ServiceMessage);
        Assert.DoesNotContain("Trace ID", d.ServiceMessage);
        Assert.DoesNotContain("Correlation ID", d.ServiceMessage);
        Assert.DoesNotContain("Timestamp", d.ServiceMessage);
        Assert.DoesNotContain('\r', d.ServiceMessage!);
        Assert.DoesNotContain('\n', d.ServiceMessage!);
        Assert.False(string.IsNullOrWhiteSpace(d.Cause));
        Assert.False(string.IsNullOrWhiteSpace(d.Remediation));
        // The one-line message carries the evidence an admin quotes in a support case.
        Assert.Contains(serviceCode, d.Message);
        Assert.Contains("request-id " + TraceId, d.Message);
        Assert.Contains("HTTP " + status, d.Message);
    }

    [Fact]
    public void Entra_error_codes_first_number_is_the_key()
    {
        var e = ServiceError.FromEntra(401, Entra7000215NewSpace);
        Assert.Equal(7000215, e.AadstsCode);
        Assert.Equal("invalid_client", e.Error);
        Assert.Equal("AADSTS7000215", e.DisplayCode);
    }

    [Fact]
    public void Guid_shaped_secret_is_called_the_secret_ID()
    {
        var error = ServiceError.FromEntra(401, Entra7000215NewSpace);

        var guidShaped = DiagnosisCatalog.Explain(error, Context(secretLooksLikeId: true));
        Assert.Equal(DiagnosisCode.InvalidClientSecret, guidShaped.Code);
        Assert.Contains("secret *ID*", guidShaped.Cause);
        Assert.Contains("almost certainly", guidShaped.Cause);
        Assert.Contains(AppId, guidShaped.Cause);
        Assert.Equal("AADSTS7000215", guidShaped.ServiceCode);

        var otherShape = DiagnosisCatalog.Explain(error, Context(secretLooksLikeId: false));
        Assert.Equal(DiagnosisCode.InvalidClientSecret, otherShape.Code);
        Assert.DoesNotContain("almost certainly", otherShape.Cause);
        Assert.NotEqual(guidShaped.Cause, otherShape.Cause);
    }

    [Fact]
    public void Old_7000215_text_with_guid_shaped_secret_also_says_secret_ID()
    {
        // Keyed on the number, not on the (changing) text.
        var d = DiagnosisCatalog.Explain(ServiceError.FromEntra(401, Entra7000215OldCrlf), Context(secretLooksLikeId: true));
        Assert.Equal(DiagnosisCode.InvalidClientSecret, d.Code);
        Assert.Contains("secret *ID*", d.Cause);
    }

    [Fact]
    public void Tenant_not_found_tells_which_cloud_was_used()
    {
        var ctx = new DiagnosisContext { TenantId = "nowhere.example", ClientId = AppId, EnvironmentName = "USGov" };
        var d = DiagnosisCatalog.Explain(ServiceError.FromEntra(400, Entra90002Token), ctx);
        Assert.Equal(DiagnosisCode.TenantNotFound, d.Code);
        Assert.Contains("nowhere.example", d.Cause);
        Assert.Contains("USGov", d.Cause + d.Remediation);
    }

    [Fact]
    public void Entra_503_without_a_body_is_ServiceUnavailable()
    {
        var d = DiagnosisCatalog.Explain(ServiceError.FromEntra(503, ""), Context());
        Assert.Equal(DiagnosisCode.ServiceUnavailable, d.Code);
        Assert.Equal(DiagnosisKind.Transient, d.Kind);
        Assert.Equal(503, d.HttpStatus);
    }

    [Fact]
    public void Entra_429_is_Throttled_and_carries_the_retry_summary()
    {
        var d = DiagnosisCatalog.Explain(ServiceError.FromEntra(429, null), Context(), new RetrySummary(3, TimeSpan.FromSeconds(7)));
        Assert.Equal(DiagnosisCode.Throttled, d.Code);
        Assert.Equal(3, d.Retries);
        Assert.Equal(TimeSpan.FromSeconds(7), d.RetryWait);
        Assert.Contains("Retried 3 times", d.Message);
    }

    // ---- Graph bodies (docs/service-behaviour.md#graph-error-body, #create-application, #graph-errors) ----

    private const string Inner =
        "\"innerError\":{\"date\":\"2023-02-20T05:06:48\",\"request-id\":\"" + GraphRequestId + "\",\"client-request-id\":\"" + GraphClientRequestId + "\"}";

    private static string GraphBody(string code, string message, bool withInner = true) =>
        withInner
            ? Fill("""{"error":{"code":"@CODE@","message":"@MESSAGE@",@INNER@}}""").Replace("@CODE@", code).Replace("@MESSAGE@", message)
            : Fill("""{"error":{"code":"@CODE@","message":"@MESSAGE@"}}""").Replace("@CODE@", code).Replace("@MESSAGE@", message);

    public static TheoryData<string, int, string, bool?, DiagnosisCode, string, string?> GraphCases() => new()
    {
        // name, status, body, TokenHasMailSend, expected code, expected ServiceMessage, expected RequestId
        { "5.1 no Mail.Send (roles unknown)", 403, GraphBody("ErrorAccessDenied", "Access is denied. Check credentials and try again."), null,
            DiagnosisCode.MailSendPermissionMissing, "Access is denied. Check credentials and try again.", GraphRequestId },
        { "5.1 no Mail.Send (token without it)", 403, GraphBody("ErrorAccessDenied", "Access is denied. Check credentials and try again."), false,
            DiagnosisCode.MailSendPermissionMissing, "Access is denied. Check credentials and try again.", GraphRequestId },
        { "5.2 application access policy", 403, GraphBody("ErrorAccessDenied", "Access to OData is disabled."), true,
            DiagnosisCode.MailboxAccessDenied, "Access to OData is disabled.", GraphRequestId },
        { "5.3 ErrorInvalidUser", 404, GraphBody("ErrorInvalidUser", "The requested user 'nobody@contoso.com' is invalid."), true,
            DiagnosisCode.SenderMailboxNotFound, "The requested user 'nobody@contoso.com' is invalid.", GraphRequestId },
        { "5.3b ResourceNotFound", 404, GraphBody("ResourceNotFound", "Resource could not be discovered."), true,
            DiagnosisCode.SenderMailboxNotFound, "Resource could not be discovered.", GraphRequestId },
        { "5.4 MailboxNotEnabledForRESTAPI", 404, GraphBody("MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise."), true,
            DiagnosisCode.SenderMailboxNotLicensed, "The mailbox is either inactive, soft-deleted, or is hosted on-premise.", GraphRequestId },
        { "5.4b MailboxNotEnabledForRESTAPI legacy", 404, GraphBody("MailboxNotEnabledForRESTAPI", "REST API is not yet supported for this mailbox."), true,
            DiagnosisCode.SenderMailboxNotLicensed, "REST API is not yet supported for this mailbox.", GraphRequestId },
        { "5.5 ErrorSendAsDenied (doc text)", 403, GraphBody("ErrorSendAsDenied", "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account. Cannot submit message."), true,
            DiagnosisCode.SendAsDenied, "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account. Cannot submit message.", GraphRequestId },
        { "5.5 ErrorSendAsDenied (live text)", 403, GraphBody("ErrorSendAsDenied", "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message."), true,
            DiagnosisCode.SendAsDenied, "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.", GraphRequestId },
        { "5.7 Authorization_RequestDenied", 403, GraphBody("Authorization_RequestDenied", "Insufficient privileges to complete the operation."), null,
            DiagnosisCode.InsufficientPrivileges, "Insufficient privileges to complete the operation.", GraphRequestId },
        { "5.11 ApplicationThrottled, no innerError", 429, GraphBody("ApplicationThrottled", "Application is over its MailboxConcurrency limit.", withInner: false), true,
            DiagnosisCode.Throttled, "Application is over its MailboxConcurrency limit.", null },
        { "5.12 TooManyRequests", 429, GraphBody("TooManyRequests", "Too many requests from Identifier:West Europe under category:throttle.aad.ags.subscriptionservice.dc.list. Please try again later."), true,
            DiagnosisCode.Throttled, "Too many requests from Identifier:West Europe under category:throttle.aad.ags.subscriptionservice.dc.list. Please try again later.", GraphRequestId },
        { "503 with a body", 503, GraphBody("ServiceNotAvailable", "Service is unavailable. Please try again later."), true,
            DiagnosisCode.ServiceUnavailable, "Service is unavailable. Please try again later.", GraphRequestId },
    };

    [Theory]
    [MemberData(nameof(GraphCases))]
    public void Graph_body_maps_to_its_diagnosis(string name, int status, string body, bool? tokenHasMailSend, DiagnosisCode expected, string serviceMessage, string? requestId)
    {
        var error = ServiceError.FromGraph(status, body);
        var d = DiagnosisCatalog.Explain(error, Context(tokenHasMailSend: tokenHasMailSend));

        Assert.True(expected == d.Code, $"{name}: expected {expected}, got {d.Code}");
        Assert.Equal(ServiceKind.Graph, error.Service);
        Assert.Equal(error.Error, d.ServiceCode);
        Assert.Equal(status, d.HttpStatus);
        Assert.Equal(serviceMessage, d.ServiceMessage);
        Assert.Equal(requestId, d.RequestId);
        Assert.Equal(requestId is null ? null : GraphClientRequestId, d.CorrelationId);
        Assert.False(string.IsNullOrWhiteSpace(d.Cause));
        Assert.False(string.IsNullOrWhiteSpace(d.Remediation));
        Assert.Contains(d.ServiceCode!, d.Message);
    }

    [Fact]
    public void Graph_innerError_request_id_and_client_request_id_are_read()
    {
        var e = ServiceError.FromGraph(403, GraphBody("ErrorAccessDenied", "Access is denied. Check credentials and try again."));
        Assert.Equal("ErrorAccessDenied", e.Error);
        Assert.Equal(GraphRequestId, e.RequestId);
        Assert.Equal(GraphClientRequestId, e.CorrelationId);
    }

    [Fact]
    public void Graph_body_without_innerError_takes_request_id_from_the_headers()
    {
        var body = GraphBody("ApplicationThrottled", "Application is over its MailboxConcurrency limit.", withInner: false);
        var e = ServiceError.FromGraph(429, body, requestIdHeader: GraphRequestId, clientRequestIdHeader: GraphClientRequestId);
        Assert.Equal("ApplicationThrottled", e.Error);
        Assert.Equal(GraphRequestId, e.RequestId);
        Assert.Equal(GraphClientRequestId, e.CorrelationId);
        Assert.Equal(DiagnosisCode.Throttled, DiagnosisCatalog.Explain(e, Context()).Code);
    }

    [Fact]
    public void Graph_503_without_a_body_is_ServiceUnavailable()
    {
        var d = DiagnosisCatalog.Explain(ServiceError.FromGraph(503, null), Context(tokenHasMailSend: true));
        Assert.Equal(DiagnosisCode.ServiceUnavailable, d.Code);
        Assert.Equal(DiagnosisKind.Transient, d.Kind);
        Assert.Null(d.ServiceCode);
    }

    [Fact]
    public void ErrorAccessDenied_is_told_apart_by_the_token_not_by_the_text()
    {
        // Same code, same text — only what the token carried differs (docs/service-behaviour.md#graph-access-denied).
        var body = GraphBody("ErrorAccessDenied", "Access to OData is disabled.");
        Assert.Equal(DiagnosisCode.MailSendPermissionMissing, DiagnosisCatalog.Explain(ServiceError.FromGraph(403, body), Context(tokenHasMailSend: false)).Code);
        Assert.Equal(DiagnosisCode.MailSendPermissionMissing, DiagnosisCatalog.Explain(ServiceError.FromGraph(403, body), Context(tokenHasMailSend: null)).Code);
        Assert.Equal(DiagnosisCode.MailboxAccessDenied, DiagnosisCatalog.Explain(ServiceError.FromGraph(403, body), Context(tokenHasMailSend: true)).Code);

        var denied = GraphBody("ErrorAccessDenied", "Access is denied. Check credentials and try again.");
        var withRole = DiagnosisCatalog.Explain(ServiceError.FromGraph(403, denied), Context(tokenHasMailSend: true));
        Assert.Equal(DiagnosisCode.MailboxAccessDenied, withRole.Code);
        Assert.Contains("sender@contoso.com", withRole.Cause);
    }

    [Fact]
    public void SendAsDenied_names_both_addresses()
    {
        var body = GraphBody("ErrorSendAsDenied", "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account. Cannot submit message.");
        var d = DiagnosisCatalog.Explain(ServiceError.FromGraph(403, body), Context(tokenHasMailSend: true));
        Assert.Contains("other@contoso.com", d.Cause);
        Assert.Contains("sender@contoso.com", d.Cause);
    }

    [Fact]
    public void Directory_details_code_is_read()
    {
        const string appId = "3f0c9e2a-5b7d-4c1e-8a6f-2d4b6c8e0f1a";
        var body = Fill("""
            {"error":{"code":"Request_BadRequest","message":"The appId '@APPID@' of the service principal does not reference a valid application object.","details":[{"code":"NoBackingApplicationObject","message":"The appId '@APPID@' of the service principal does not reference a valid application object.","target":"appId"}],@INNER@}}
            """, appId);
        var e = ServiceError.FromGraph(400, body);
        Assert.Contains(appId, e.Message);
        Assert.Equal("Request_BadRequest", e.Error);
        Assert.Equal("NoBackingApplicationObject", e.DetailCode);
        Assert.Equal(GraphRequestId, e.RequestId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html><body>Bad gateway</body></html>")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"error\":\"not an object\"}")]
    public void Unreadable_bodies_give_a_bare_status_not_an_exception(string body)
    {
        var graph = ServiceError.FromGraph(502, body);
        Assert.Equal(502, graph.Status);
        Assert.Null(graph.Error);
        var entra = ServiceError.FromEntra(400, body);
        Assert.Equal(400, entra.Status);
        Assert.Equal(0, entra.AadstsCode);
        Assert.Equal(DiagnosisCode.UnexpectedResponse, DiagnosisCatalog.Explain(entra, Context()).Code);
    }
}
