# Log Analytics (90-day retention) and workspace-based Application Insights, one action group
# every alert and budget notifies, and diagnostic settings on every resource that has them.

resource "azurerm_log_analytics_workspace" "main" {
  name                = "log-${local.name}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  sku                 = "PerGB2018"
  retention_in_days   = var.log_retention_days
  tags                = local.tags
}

# One component for the API and worker; the seed keeps the production staging slot's telemetry
# apart (a slot-sticky setting), so with a slot there is a second one.
locals {
  app_insights_components = merge(
    { app = "appi-${local.name}" },
    var.deployment_slot_enabled ? { staging_slot = "appi-${local.name}-staging-slot" } : {},
  )
}

resource "azurerm_application_insights" "component" {
  for_each            = local.app_insights_components
  name                = each.value
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  workspace_id        = azurerm_log_analytics_workspace.main.id
  application_type    = "Node.JS"
  retention_in_days   = var.log_retention_days
  tags                = local.tags
}

resource "azurerm_monitor_action_group" "main" {
  name                = "ag-${local.name}"
  resource_group_name = azurerm_resource_group.main.name
  short_name          = substr("azimuth${var.environment}", 0, 12)
  tags                = local.tags

  dynamic "email_receiver" {
    for_each = var.alert_email_addresses
    content {
      name                    = "email-${email_receiver.key}"
      email_address           = email_receiver.value
      use_common_alert_schema = true
    }
  }
}

# Every resource with diagnostic settings: logs (category group allLogs) and/or AllMetrics.
# `tables` says where the resource's logs land in Log Analytics, per Azure Monitor's "Supported
# logs" reference for its type (learn.microsoft.com/azure/azure-monitor/reference/supported-logs/):
# "resource-specific" tables (AppServiceConsoleLogs, PGSQLServerLogs, AZKVAuditLogs,
# StorageBlobLogs, AEGDeliveryFailureLogs, LAQueryLogs...) take the Dedicated destination type;
# "AzureDiagnostics" (VNet, NSG, public IP, Cognitive Services) and "none" (plans, the storage
# account, Redis without logs: metrics only) must leave it unset, or Azure stores nothing for it
# and every plan shows a diff. test/infrastructure/drift-model.ts keeps the same table.
locals {
  diagnostic_targets = {
    api_app       = { id = azurerm_linux_web_app.api.id, type = "Microsoft.Web/sites", tables = "resource-specific", logs = true, metrics = true }
    worker_app    = { id = azurerm_linux_web_app.worker.id, type = "Microsoft.Web/sites", tables = "resource-specific", logs = true, metrics = true }
    api_plan      = { id = azurerm_service_plan.api.id, type = "Microsoft.Web/serverfarms", tables = "none", logs = false, metrics = true }
    worker_plan   = { id = azurerm_service_plan.worker.id, type = "Microsoft.Web/serverfarms", tables = "none", logs = false, metrics = true }
    postgres      = { id = azurerm_postgresql_flexible_server.main.id, type = "Microsoft.DBforPostgreSQL/flexibleServers", tables = "resource-specific", logs = true, metrics = true }
    redis         = { id = azurerm_managed_redis.main.id, type = "Microsoft.Cache/redisEnterprise", tables = "none", logs = false, metrics = true }
    keyvault      = { id = azurerm_key_vault.main.id, type = "Microsoft.KeyVault/vaults", tables = "resource-specific", logs = true, metrics = true }
    openai        = { id = azurerm_cognitive_account.openai.id, type = "Microsoft.CognitiveServices/accounts", tables = "AzureDiagnostics", logs = true, metrics = true }
    storage       = { id = azurerm_storage_account.main.id, type = "Microsoft.Storage/storageAccounts", tables = "none", logs = false, metrics = true }
    storage_blob  = { id = "${azurerm_storage_account.main.id}/blobServices/default", type = "Microsoft.Storage/storageAccounts/blobServices", tables = "resource-specific", logs = true, metrics = true }
    storage_table = { id = "${azurerm_storage_account.main.id}/tableServices/default", type = "Microsoft.Storage/storageAccounts/tableServices", tables = "resource-specific", logs = true, metrics = true }
    vnet          = { id = azurerm_virtual_network.main.id, type = "Microsoft.Network/virtualNetworks", tables = "AzureDiagnostics", logs = true, metrics = true }
    nsg_app       = { id = azurerm_network_security_group.nsg["app"].id, type = "Microsoft.Network/networkSecurityGroups", tables = "AzureDiagnostics", logs = true, metrics = false }
    nsg_pe        = { id = azurerm_network_security_group.nsg["pe"].id, type = "Microsoft.Network/networkSecurityGroups", tables = "AzureDiagnostics", logs = true, metrics = false }
    nsg_db        = { id = azurerm_network_security_group.nsg["db"].id, type = "Microsoft.Network/networkSecurityGroups", tables = "AzureDiagnostics", logs = true, metrics = false }
    nsg_mgmt      = { id = azurerm_network_security_group.nsg["mgmt"].id, type = "Microsoft.Network/networkSecurityGroups", tables = "AzureDiagnostics", logs = true, metrics = false }
    nsg_runners   = { id = azurerm_network_security_group.nsg["runners"].id, type = "Microsoft.Network/networkSecurityGroups", tables = "AzureDiagnostics", logs = true, metrics = false }
    nat_ip        = { id = azurerm_public_ip.nat.id, type = "Microsoft.Network/publicIPAddresses", tables = "AzureDiagnostics", logs = true, metrics = true }
    eventgrid     = { id = azurerm_eventgrid_system_topic.keyvault.id, type = "Microsoft.EventGrid/systemTopics", tables = "resource-specific", logs = true, metrics = true }
    workspace     = { id = azurerm_log_analytics_workspace.main.id, type = "Microsoft.OperationalInsights/workspaces", tables = "resource-specific", logs = true, metrics = true }
  }
}

resource "azurerm_monitor_diagnostic_setting" "all" {
  for_each                       = local.diagnostic_targets
  name                           = "diag-to-log-analytics"
  target_resource_id             = each.value.id
  log_analytics_workspace_id     = azurerm_log_analytics_workspace.main.id
  log_analytics_destination_type = each.value.logs && each.value.tables == "resource-specific" ? "Dedicated" : null

  dynamic "enabled_log" {
    for_each = each.value.logs ? ["allLogs"] : []
    content {
      category_group = enabled_log.value
    }
  }

  dynamic "enabled_metric" {
    for_each = each.value.metrics ? ["AllMetrics"] : []
    content {
      category = enabled_metric.value
    }
  }
}
