# Re-running New-MailOAuthApp on a mailbox-scoped app (Exchange RBAC for Applications, docs/service-behaviour.md#exchange-rbac):
# the re-run completes the app as always (a new secret, the existing secrets kept) but never declares Mail.Send again, so a
# later "Grant admin consent" click in the portal cannot silently make the app tenant-wide; Verbose says why.
Describe 'New-MailOAuthApp re-run on a mailbox-scoped app' -Tag 'Scope', 'Provisioning' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-TestSandbox
        $script:info = $sandbox.Info
        $script:sender = $info.mailboxes.licensed
        $script:adminToken = Get-SandboxAdminToken $sandbox
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }
    BeforeEach {
        Reset-SandboxTest -Sandbox $sandbox
    }

    It 'keeps Mail.Send out of requiredResourceAccess and the tenant grant absent, and says so in Verbose' {
        $name = "Rerun $([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $first = New-MailOAuthApp -DisplayName $name -SenderAddress $sender -WarningAction SilentlyContinue |
            Grant-MailSendConsent -Scope Mailbox -PassThru -WarningAction SilentlyContinue
        $first.SendScope | Should -Be "Mailbox: $sender"
        DeclaresMailSend (AppOf $first.ClientId) | Should -BeFalse -Because 'the scoped grant removed it'
        $spId = $first.Consent.ServicePrincipalId

        $records = New-MailOAuthApp -DisplayName $name -SenderAddress $sender -WarningAction SilentlyContinue -Verbose 4>&1
        $again = @($records | Where-Object { $_ -is [MailOAuth.Output.MailOAuthApp] })
        $verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) -join "`n"

        $again.Count | Should -Be 1
        $again[0].ClientId | Should -Be $first.ClientId
        $again[0].Provisioning | Should -Be 'Reused'
        $app = AppOf $first.ClientId
        $app.PSObject.Properties.Name | Should -Contain 'requiredResourceAccess'
        DeclaresMailSend $app | Should -BeFalse
        @($app.tags | Where-Object { $_ -like 'MailOAuth:SendScope=Mailbox;*' }).Count | Should -Be 1
        @(TenantGrantsOf $spId).Count | Should -Be 0
        $verbose | Should -Match 'not added to its required permissions again'
        $verbose | Should -Not -Match 'Adding Mail\.Send'
    }

    It 'an unscoped app that lost Mail.Send still gets it back on a re-run' {
        $name = "Rerun $([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $first = New-MailOAuthApp -DisplayName $name -WarningAction SilentlyContinue
        Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $adminToken -Method PATCH -Path "applications/$($first.ObjectId)" -Body @{ requiredResourceAccess = @() } | Out-Null
        DeclaresMailSend (AppOf $first.ClientId) | Should -BeFalse

        New-MailOAuthApp -DisplayName $name -WarningAction SilentlyContinue | Out-Null

        DeclaresMailSend (AppOf $first.ClientId) | Should -BeTrue
    }
}
