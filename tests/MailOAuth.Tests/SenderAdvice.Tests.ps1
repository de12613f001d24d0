# An address that is not the UPN: Graph's /users/{id | userPrincipalName} does not resolve an SMTP address
# (docs/service-behaviour.md#users). Send-MailOAuthTest and Send-ResellerTestEmail say so, and with an admin
# connection look the address up (mail, then proxyAddresses) and name the UPN to use. The sandbox seeds
# jdoe@contoso.com whose mail is jane.doe@contoso.com and whose proxyAddresses hold the alias j.doe@contoso.com.

Describe 'Advice for a sender address that is not the UPN' -Tag 'SenderAdvice' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-MailOAuthSandbox
        Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
        $script:info = $sandbox.Info
        $script:platform = @{ PlatformUri = $info.platform.uri; ApiToken = (ConvertTo-TestSecret $info.platform.apiToken) }
        $script:upn = 'jdoe@contoso.com'

        # The whole text an admin reads: the message and the recommended action.
        function script:Read-Failure($Record) { "$($Record.Exception.Message) $($Record.ErrorDetails.RecommendedAction)" }

        function script:Send-AsSender([string] $Sender) {
            $p = Get-SendParams -Sandbox $sandbox -Sender $Sender
            Send-MailOAuthTest @p -ErrorAction SilentlyContinue -ErrorVariable failure | Should -BeNullOrEmpty
            $failure.Count | Should -Be 1
            $failure[0].FullyQualifiedErrorId | Should -Be 'SenderMailboxNotFound,MailOAuth.Commands.SendMailOAuthTestCommand'
            $failure[0]
        }

        function script:Test-PlatformAsSender([string] $Sender) {
            $a = $info.apps.consented
            Set-ResellerSmtpSetting @platform -TenantId $info.tenantId -ClientId $a.clientId -ClientSecret (ConvertTo-TestSecret $a.clientSecret) -SenderAddress $Sender | Out-Null
            Send-ResellerTestEmail @platform -To 'admin@contoso.com' -ErrorAction SilentlyContinue -ErrorVariable failure | Should -BeNullOrEmpty
            $failure.Count | Should -Be 1
            $failure[0].FullyQualifiedErrorId | Should -Be 'SenderMailboxNotFound,MailOAuth.Commands.SendResellerTestEmailCommand'
            $failure[0]
        }

        function script:DirectoryLookups {
            @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object { $_.kind -eq 'directory' -and $_.path -match '/users$' })
        }
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }
    BeforeEach { Reset-MailOAuthSandbox -Sandbox $sandbox }

    Context 'without an admin connection' {
        BeforeAll { Disconnect-MailOAuth }

        It 'Send-MailOAuthTest says Graph does not resolve an SMTP address, and does not advise the address that failed' {
            $text = Read-Failure (Send-AsSender 'jane.doe@contoso.com')
            $text | Should -Match 'jane\.doe@contoso\.com'
            $text | Should -Match ([regex]::Escape('/users/{id | userPrincipalName} does not resolve an SMTP address'))
            $text | Should -Not -Match 'primary SMTP address as'
            $text | Should -Match 'user principal name'
            $text | Should -Match 'Connect-MailOAuth'
            $text | Should -Not -Match ([regex]::Escape($upn))
            DirectoryLookups | Should -BeNullOrEmpty
        }

        It 'Send-ResellerTestEmail says the same for the relayed failure' {
            $text = Read-Failure (Test-PlatformAsSender 'jane.doe@contoso.com')
            $text | Should -Match ([regex]::Escape('does not resolve an SMTP address'))
            $text | Should -Match 'Set-ResellerSmtpSetting -SenderAddress'
            $text | Should -Not -Match ([regex]::Escape($upn))
        }
    }

    Context 'with an admin connection to the tenant' {
        BeforeAll { Connect-SandboxAdmin -Sandbox $sandbox | Out-Null }
        AfterAll { Disconnect-MailOAuth }

        It 'Send-MailOAuthTest names the UPN of a primary SMTP address (found by mail)' {
            $record = Send-AsSender 'jane.doe@contoso.com'
            $text = Read-Failure $record
            $text | Should -Match ([regex]::Escape("'jane.doe@contoso.com' is the e-mail address of user '$upn'"))
            $text | Should -Match ([regex]::Escape("-SenderAddress $upn"))
            # The evidence of the call that failed is kept.
            $record.Exception.Message | Should -Match 'ErrorInvalidUser'
            @(DirectoryLookups | Where-Object { $_.query -match 'mail' }).Count | Should -BeGreaterThan 0
        }

        It 'Send-MailOAuthTest names the UPN of an alias (found by proxyAddresses)' {
            $text = Read-Failure (Send-AsSender 'j.doe@contoso.com')
            $text | Should -Match ([regex]::Escape("'j.doe@contoso.com' is the e-mail address of user '$upn'"))
            @(DirectoryLookups | Where-Object { $_.query -match 'proxyAddresses' }).Count | Should -Be 1
        }

        It 'an address nobody has is looked up and said to exist nowhere' {
            $text = Read-Failure (Send-AsSender 'nobody@contoso.com')
            $text | Should -Match ([regex]::Escape("looked 'nobody@contoso.com' up in tenant $($info.tenantId)"))
            $text | Should -Match ([regex]::Escape('does not resolve an SMTP address'))
        }

        It 'Send-ResellerTestEmail names the UPN for the sender the platform holds' {
            $text = Read-Failure (Test-PlatformAsSender 'jane.doe@contoso.com')
            $text | Should -Match ([regex]::Escape("'jane.doe@contoso.com' is the e-mail address of user '$upn'"))
            $text | Should -Match ([regex]::Escape("-SenderAddress $upn"))
        }

        It 'the UPN itself still sends (nothing is looked up)' {
            $p = Get-SendParams -Sandbox $sandbox -Sender $upn
            (Send-MailOAuthTest @p).Status | Should -Be 'Accepted'
            DirectoryLookups | Should -BeNullOrEmpty
        }
    }
}
