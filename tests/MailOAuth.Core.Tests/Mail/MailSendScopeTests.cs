using MailOAuth.Core.Mail;
using Xunit;

namespace MailOAuth.Core.Tests.Mail;

/// <summary>The SendScope text Get-MailOAuthApp shows and Send-MailOAuthTest binds (docs/service-behaviour.md#exchange-rbac).</summary>
public sealed class MailSendScopeTests
{
    [Theory]
    [InlineData("Tenant", MailSendScopeKind.Tenant, null)]
    [InlineData("none", MailSendScopeKind.None, null)]
    [InlineData("Mailbox", MailSendScopeKind.Mailbox, null)]
    [InlineData("Mailbox: sender@contoso.com", MailSendScopeKind.Mailbox, "sender@contoso.com")]
    [InlineData(" mailbox:sender@contoso.com ", MailSendScopeKind.Mailbox, "sender@contoso.com")]
    public void Parses_what_Get_MailOAuthApp_shows(string text, MailSendScopeKind kind, string? mailbox)
    {
        Assert.True(MailSendScope.TryParse(text, out var scope));
        Assert.Equal(kind, scope!.Kind);
        Assert.Equal(mailbox, scope.Mailbox);
        Assert.Equal(kind == MailSendScopeKind.Mailbox, scope.IsMailbox);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Everything")]
    [InlineData("Mailbox:")]
    [InlineData("Mailbox: nobody")]
    [InlineData("Mailbox: a b@contoso.com")]
    public void Refuses_anything_else(string? text) => Assert.False(MailSendScope.TryParse(text, out _));

    [Fact]
    public void Round_trips_to_the_shown_text() =>
        Assert.Equal("Mailbox: sender@contoso.com", (MailSendScope.TryParse("mailbox:  sender@contoso.com", out var s) ? s : null)!.ToString());
}
