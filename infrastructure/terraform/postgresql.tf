# PostgreSQL Flexible Server 16: private access through the delegated db-subnet and its private
# DNS zone, 128 GB with auto-grow, 35-day backups (geo-redundant in production), zone-redundant
# HA in production, built-in PgBouncer in transaction mode with the seed's pool figures, TLS only.

locals {
  postgres_admin_login = "azimuthadmin"
  postgres_database    = "azimuth"
  # Azure offers the built-in PgBouncer on General Purpose and Memory Optimized only, so the
  # Burstable dev server is reached directly; the app's URL and settings do not change shape.
  pgbouncer_enabled = !startswith(var.postgres_sku, "B_")
  app_database_port = local.pgbouncer_enabled ? 6432 : 5432
}

# Ephemeral: generated during plan/apply and never written to state; the server and the Key
# Vault secrets receive it through write-only arguments, all re-sent whenever any of them must be.
ephemeral "random_password" "database" {
  length           = 40
  special          = true
  override_special = "-_.~"
}

resource "azurerm_postgresql_flexible_server" "main" {
  name                              = "psql-${local.name}-${local.suffix}"
  location                          = azurerm_resource_group.main.location
  resource_group_name               = azurerm_resource_group.main.name
  version                           = "16"
  sku_name                          = var.postgres_sku
  storage_mb                        = var.postgres_storage_mb
  auto_grow_enabled                 = true
  backup_retention_days             = var.postgres_backup_retention_days
  geo_redundant_backup_enabled      = var.postgres_geo_redundant_backup_enabled
  delegated_subnet_id               = azurerm_subnet.subnet["db"].id
  private_dns_zone_id               = azurerm_private_dns_zone.zone["postgres"].id
  public_network_access_enabled     = false
  administrator_login               = local.postgres_admin_login
  administrator_password_wo         = ephemeral.random_password.database.result
  administrator_password_wo_version = local.database_password_version # keyvault.tf: shared with every secret
  zone                              = "1"
  tags                              = local.tags

  authentication {
    password_auth_enabled         = true
    active_directory_auth_enabled = false
  }

  dynamic "high_availability" {
    for_each = var.postgres_high_availability_enabled ? ["ZoneRedundant"] : []
    content {
      mode                      = high_availability.value
      standby_availability_zone = "2"
    }
  }

  lifecycle {
    # After a zone-redundant HA failover Azure swaps the primary and standby zones. Without
    # this, the next apply would "correct" them and fail the server back (a second outage).
    ignore_changes = [zone, high_availability[0].standby_availability_zone]
  }

  depends_on = [azurerm_private_dns_zone_virtual_network_link.zone]
}

resource "azurerm_postgresql_flexible_server_database" "main" {
  name      = local.postgres_database
  server_id = azurerm_postgresql_flexible_server.main.id
  charset   = "UTF8"
  collation = "en_US.utf8"
}

# Server parameters: PgBouncer (seed "Connection Pooling") and TLS-only connections.
locals {
  pgbouncer_parameters = {
    "pgbouncer.enabled"             = "true"
    "pgbouncer.pool_mode"           = "TRANSACTION"
    "pgbouncer.default_pool_size"   = "50"
    "pgbouncer.min_pool_size"       = "10"
    "pgbouncer.server_idle_timeout" = "600"
  }
  # PgBouncer's pool metrics (server_connections_active...) are off until this is on; the
  # pool alert (alerts.tf) reads them.
  pgbouncer_metrics_parameters = { "metrics.pgbouncer_diagnostics" = "on" }
  postgres_parameters = merge(
    { "require_secure_transport" = "on" },
    local.pgbouncer_enabled ? local.pgbouncer_parameters : {},
    local.pgbouncer_enabled ? local.pgbouncer_metrics_parameters : {},
  )
}

# Default max_connections per SKU ("Maximum connections", learn.microsoft.com/azure/postgresql/
# flexible-server/concepts-limits, read 2026-12-08): the connection alert (alerts.tf) fires at
# 90 % of it. Azure reserves 15 of these for replication and monitoring.
locals {
  postgres_max_connections_by_sku = {
    B_Standard_B1ms     = 50
    B_Standard_B2s      = 429
    B_Standard_B2ms     = 859
    B_Standard_B4ms     = 1718
    GP_Standard_D2ds_v5 = 859
    GP_Standard_D4ds_v5 = 1718
    GP_Standard_D8ds_v5 = 3437
  }
  postgres_max_connections = local.postgres_max_connections_by_sku[var.postgres_sku]
}

resource "azurerm_postgresql_flexible_server_configuration" "parameter" {
  for_each  = local.postgres_parameters
  name      = each.key
  server_id = azurerm_postgresql_flexible_server.main.id
  value     = each.value
}
