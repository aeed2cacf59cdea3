# Values azd stores in the environment (.azure/<env>/.env) and the pipelines and hooks read.
# Names are upper case because azd exposes each output under its own name.

output "AZURE_LOCATION" {
  value = azurerm_resource_group.main.location
}

output "AZURE_TENANT_ID" {
  value = data.azurerm_client_config.current.tenant_id
}

output "AZURE_RESOURCE_GROUP" {
  value = azurerm_resource_group.main.name
}

output "SERVICE_API_NAME" {
  value = azurerm_linux_web_app.api.name
}

output "SERVICE_API_URI" {
  value = "https://${local.custom_domain_bound ? var.custom_domain : azurerm_linux_web_app.api.default_hostname}"
}

output "SERVICE_API_STAGING_SLOT_URI" {
  value = var.deployment_slot_enabled ? "https://${azurerm_linux_web_app_slot.staging[0].default_hostname}" : ""
}

output "SERVICE_WORKER_NAME" {
  value = azurerm_linux_web_app.worker.name
}

output "AZURE_KEY_VAULT_NAME" {
  value = azurerm_key_vault.main.name
}

output "AZURE_KEY_VAULT_ENDPOINT" {
  value = azurerm_key_vault.main.vault_uri
}

# The pipeline's migration step reads this secret (direct port 5432) and runs `azimuth migrate`.
output "DATABASE_MIGRATION_SECRET_NAME" {
  value = local.secret_names.database_direct
}

output "POSTGRES_SERVER_NAME" {
  value = azurerm_postgresql_flexible_server.main.name
}

output "AZURE_STORAGE_ACCOUNT_NAME" {
  value = azurerm_storage_account.main.name
}

output "AZURE_STORAGE_ACCOUNT_URL" {
  value = azurerm_storage_account.main.primary_blob_endpoint
}

output "AZURE_OPENAI_ENDPOINT" {
  value = azurerm_cognitive_account.openai.endpoint
}

output "APPLICATIONINSIGHTS_NAME" {
  value = azurerm_application_insights.component["app"].name
}

output "NAT_OUTBOUND_IP" {
  description = "The one public address Azimuth calls SaaS APIs from (for their allow-lists)."
  value       = azurerm_public_ip.nat.ip_address
}

# Records to create at the DNS provider before binding a custom domain (seed "Custom Domain & TLS"),
# shown from the first apply on; then set custom_domain_dns_ready = true (dns.tf).
output "CUSTOM_DOMAIN_DNS_RECORDS" {
  value = var.custom_domain == "" ? "" : jsonencode([
    { type = "CNAME", name = var.custom_domain, value = azurerm_linux_web_app.api.default_hostname },
    { type = "TXT", name = "asuid.${var.custom_domain}", value = azurerm_linux_web_app.api.custom_domain_verification_id },
  ])
}
