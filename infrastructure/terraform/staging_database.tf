# The production API's `staging` slot runs the next release against its own database on the
# same server (seed 004: the slot never writes to production's data before the swap). Its URL
# secrets (keyvault.tf) are slot-sticky, so a swap leaves each slot on its own database; the
# pipeline migrates it (DATABASE_STAGING_SLOT_MIGRATION_SECRET_NAME) before deploying to the slot.

locals {
  staging_slot_database = "azimuth_staging"
}

resource "azurerm_postgresql_flexible_server_database" "staging_slot" {
  count     = var.deployment_slot_enabled ? 1 : 0
  name      = local.staging_slot_database
  server_id = azurerm_postgresql_flexible_server.main.id
  charset   = "UTF8"
  collation = "en_US.utf8"
}

output "DATABASE_STAGING_SLOT_MIGRATION_SECRET_NAME" {
  description = "Direct (port 5432) URL of the staging slot's database, for the pipeline's migration step; empty without a slot."
  value       = var.deployment_slot_enabled ? local.secret_names.database_slot_direct : ""
}
