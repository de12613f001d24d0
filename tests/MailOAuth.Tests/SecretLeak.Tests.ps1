# Secrets never appear in any output stream, error, ToString() or transcript (ARCHITECTURE.md "Secrets").
Describe 'No secret leaks from any cmdlet path' -Tag 'Secrets' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-MailOAuthSandbox
        $script:info = $sandbox.Info
        $script:knownWrongSecret = 'Leak8Q~KnownSecretValue_1234567890abcdefXY'
        $script:realSecret = $info.apps.consented.clientSecret
        $script:transcript = Join-Path ([IO.Path]::GetTempPath()) "mailoauth-leak-$([guid]::NewGuid()).txt"

        $DebugPreference = 'Continue'; $VerbosePreference = 'Continue'; $InformationPreference = 'Continue'; $ProgressPreference = 'Continue'
        Start-Transcript -Path $transcript -IncludeInvocationHeader | Out-Null
        $script:captured = & {
            Register-MailOAuthSandboxEnvironment -Sandbox $sandbox -Verbose -Debug
            Get-MailOAuthEnvironment -Verbose -Debug
            $ok = Get-SendParams -Sandbox $sandbox
            Send-MailOAuthTest @ok -Verbose -Debug
            Send-MailOAuthTest @ok -Verbose -Debug -WhatIf
            $bad = Get-SendParams -Sandbox $sandbox -Secret $knownWrongSecret
            Send-MailOAuthTest @bad -Verbose -Debug -ErrorAction Continue
            foreach ($app in 'unconsented', 'expiredSecret', 'conditionalAccessBlocked') {
                $p = Get-SendParams -Sandbox $sandbox -App $app
                Send-MailOAuthTest @p -Verbose -Debug -ErrorAction Continue
            }
            foreach ($sender in $info.mailboxes.unlicensed, $info.mailboxes.restricted, 'nobody@contoso.com') {
                Send-MailOAuthTest @ok -SenderAddress $sender -Verbose -Debug -ErrorAction Continue
            }
            Send-MailOAuthTest @ok -From $info.mailboxes.other -Verbose -Debug -ErrorAction Continue
        } *>&1
        # Render everything into the transcript too, as a user's console (and Start-Transcript) would show it.
        $captured | Out-Host
        $captured | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Format-List * -Force | Out-Host
        Stop-Transcript | Out-Null
        $DebugPreference = 'SilentlyContinue'; $VerbosePreference = 'SilentlyContinue'
        $script:transcriptText = Get-Content -Raw $transcript
        # Everything a user could see or log: each record rendered, every property of errors and their exceptions.
        $script:allText = ($captured | ForEach-Object {
                $_ | Out-String
                $_.ToString()
                if ($_ -is [System.Management.Automation.ErrorRecord]) {
                    $_ | Format-List * -Force | Out-String
                    $_.Exception | Format-List * -Force | Out-String
                    $_.ErrorDetails | Format-List * -Force | Out-String
                    $_.Exception.ToString()
                }
            }) -join "`n"
    }
    AfterAll {
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
        if ($transcript -and (Test-Path $transcript)) { Remove-Item $transcript }
    }

    It 'captured every stream (the test really exercised the cmdlets)' {
        @($captured | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 5
        @($captured | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }).Count | Should -BeGreaterThan 5
        @($captured | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -Be 8
        @($captured | Where-Object { $_ -is [MailOAuth.Output.MailOAuthTestResult] }).Count | Should -Be 1
        $transcriptText | Should -Match 'InvalidClientSecret'
    }

    It 'the real secret value appears nowhere' {
        $allText | Should -Not -BeLike "*$realSecret*"
        $transcriptText | Should -Not -BeLike "*$realSecret*"
    }

    It 'a wrong secret value appears nowhere' {
        $allText | Should -Not -BeLike "*$knownWrongSecret*"
        $transcriptText | Should -Not -BeLike "*$knownWrongSecret*"
    }

    It 'no bearer token appears anywhere' {
        $allText | Should -Not -Match 'eyJ[A-Za-z0-9_-]{10,}\.eyJ'
        $transcriptText | Should -Not -Match 'eyJ[A-Za-z0-9_-]{10,}\.eyJ'
        $allText | Should -Not -Match 'Bearer [A-Za-z0-9]'
    }
}
