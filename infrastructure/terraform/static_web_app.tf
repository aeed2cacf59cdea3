# The console on Azure Static Web Apps (seed 004 "Frontend": Standard for production, CDN and
# edge caching, deployed independently of the API). Dev and staging serve the same build from the
# API instead (`console_sku` empty). CD builds `web/dist` with VITE_API_ORIGIN set to the API and
# uploads it with a deployment token it reads at deploy time with its own identity
# (`az staticwebapp secrets list`): no token is stored in GitHub or Azure DevOps.

locals {
  console_enabled = var.console_sku != ""
  # The console calls the API across origins: the API's CORS (app_service.tf) admits this one.
  console_origins = local.console_enabled ? ["https://${azurerm_static_web_app.console[0].default_host_name}"] : []
}

resource "azurerm_static_web_app" "console" {
  count               = local.console_enabled ? 1 : 0
  name                = "stapp-${local.name}-console"
  resource_group_name = azurerm_resource_group.main.name
  location            = var.console_location
  sku_tier            = var.console_sku
  sku_size            = var.console_sku
  # Releases go through CD's approval, never a preview built from a pull request.
  preview_environments_enabled       = false
  configuration_file_changes_enabled = true
  tags                               = local.tags

  lifecycle {
    # Deploying with the deployment token records the pipeline's repository and branch on the
    # site (azurerm docs, static_web_app: "use a lifecycle block to ignore_changes").
    ignore_changes = [repository_branch, repository_url]
  }
}

output "CONSOLE_STATIC_WEB_APP_NAME" {
  description = "The console's Static Web App (CD's STATIC_WEB_APP_NAME); empty where the API serves the console."
  value       = local.console_enabled ? azurerm_static_web_app.console[0].name : ""
}

output "CONSOLE_URI" {
  value = local.console_enabled ? "https://${azurerm_static_web_app.console[0].default_host_name}" : ""
}
