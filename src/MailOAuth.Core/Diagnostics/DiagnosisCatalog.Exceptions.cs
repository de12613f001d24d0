using System;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Azure.Identity;
using MailOAuth.Core.Graph;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Identity.Client;
using Microsoft.Kiota.Abstractions;

namespace MailOAuth.Core.Diagnostics;

public static partial class DiagnosisCatalog
{
    private static readonly Regex s_aadsts = new(@"AADSTS(\d+)", RegexOptions.CultureInvariant);

    /// <summary>
    /// The one entry point that explains any exception of an operation. Three cases, told apart by what
    /// came back: a service answer (an Entra or Graph error body, keyed on the AADSTS number or Graph's
    /// error.code), no answer at all (DNS, TLS, refused or reset connection, timeout: NetworkFailure, and
    /// only then), and anything else, which is a defect of MailOAuth (InternalError) — never a network
    /// failure, so a bug never sends an admin to check the firewall.
    /// </summary>
    /// <param name="exception">What the operation threw (an already-explained one passes through).</param>
    /// <param name="context">What the operation was doing; <see cref="DiagnosisContext.Operation"/> names it in InternalError.</param>
    /// <param name="endpoint">The service the operation talked to, named in NetworkFailure.</param>
    /// <param name="isPlatform">The service is a reseller platform (its NetworkFailure remediation names -PlatformUri).</param>
    public static Diagnosis Explain(Exception exception, DiagnosisContext context, Uri? endpoint = null, bool isPlatform = false)
    {
        var retries = OperationContext.Current?.Retries;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case MailOAuthException explained:
                    return explained.Diagnosis;
                case ODataError graph:
                    return Explain(GraphErrors.ToServiceError(graph), context, retries);
                case MsalThrottledServiceException throttled:
                    // MSAL answered from its process-wide throttling memory: no request was sent.
                    return TokenThrottledByLibrary(ServiceError.FromEntra(throttled.StatusCode, throttled.ResponseBody), context);
                case MsalServiceException msal when msal.StatusCode != 0:
                    return Explain(ServiceError.FromEntra(msal.StatusCode, msal.ResponseBody), context, retries);
                case ApiException api when api.ResponseStatusCode != 0:
                    // An answer Kiota could not map to Graph's error shape: still an answer, with its status.
                    return Explain(ServiceError.FromGraphParts(api.ResponseStatusCode, null, null,
                        GraphErrors.Header(api.ResponseHeaders, "request-id"), GraphErrors.Header(api.ResponseHeaders, "client-request-id")), context, retries);
            }
        }

        // Some Azure.Identity credentials (managed identity, a failed assertion) relay Entra's answer
        // as text only; its AADSTS number is still the key.
        if (exception is AuthenticationFailedException failed && s_aadsts.Match(failed.Message) is { Success: true } aadsts
            && int.TryParse(aadsts.Groups[1].Value, out var number))
            return Explain(ServiceError.FromEntraParts(0, number, null, failed.Message), context, retries);
        if (exception is CredentialUnavailableException unavailable)
            return SignInMethodUnavailable(unavailable.Message);

        if (NoAnswer(exception) is { } reason)
            return NetworkFailure(endpoint, reason, retries, isPlatform);
        return InternalError(exception, context.Operation);
    }

    /// <summary>Why no answer came back, when that is what <paramref name="exception"/> says; else null.</summary>
    private static string? NoAnswer(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException http) return FirstLine(http.InnerException?.Message ?? http.Message);
            if (e is SocketException or IOException and not FileNotFoundException and not DirectoryNotFoundException or System.Security.Authentication.AuthenticationException or TimeoutException)
                return FirstLine(e.Message);
            // The caller lets a cancellation it asked for pass; one that reaches here is a timeout.
            if (e is OperationCanceledException) return "no answer in time";
        }
        return null;
    }

    /// <summary>
    /// A defect of MailOAuth: an exception nothing above explains. The message names the exception type
    /// and the operation, never the exception's text (which may quote an input, such as a header value
    /// holding a token).
    /// </summary>
    public static Diagnosis InternalError(Exception exception, string? operation)
    {
        var where = exception.TargetSite is { } site ? $" in {site.DeclaringType?.Name}.{site.Name}" : "";
        return new(DiagnosisCode.InternalError,
            $"MailOAuth failed with an error it does not explain while trying to {operation ?? "run the command"}: {exception.GetType().FullName}{where}. This is a defect of MailOAuth, not a problem of your tenant, network or input.",
            "Please report it in MailOAuth's issue tracker with this message, the command line (without secrets) and the MailOAuth version (Get-Module MailOAuth). Running the command again may not help.");
    }

    private static string FirstLine(string text)
    {
        var i = text.IndexOfAny(new[] { '\r', '\n' });
        return (i < 0 ? text : text.Substring(0, i)).TrimEnd();
    }
}
