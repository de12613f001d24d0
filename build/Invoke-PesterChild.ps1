<#
.SYNOPSIS
    Runs the Pester suite in this (child) pwsh and writes {passed, failed, skipped} as JSON.
    The tests import the built module themselves (path in $env:MAILOAUTH_MODULE_PATH).
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxPath,
    [Parameter(Mandatory)] [string] $TestPath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [string] $Tag
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
$env:MAILOAUTH_MODULE_PATH = $ModulePath
$env:MAILOAUTH_SANDBOX_PATH = $SandboxPath

$config = New-PesterConfiguration
$config.Run.Path = $TestPath
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
if ($Tag) { $config.Filter.Tag = $Tag -split ',' }
$result = Invoke-Pester -Configuration $config
$summary = [ordered]@{
    passed  = $result.PassedCount
    failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    skipped = $result.SkippedCount
}
$summary | ConvertTo-Json | Set-Content -Path $ResultPath -Encoding utf8NoBOM
