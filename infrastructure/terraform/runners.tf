# The pipelines' migration runners, inside the VNet (seed 004: migrations are a pre-deployment
# pipeline step, never part of start-up, and staging/production databases are private):
# - GitHub Actions: GitHub-hosted runners with Azure private networking. The network settings
#   below name the delegated subnet; a GitHub org owner then creates a network configuration
#   from `github_network_settings_id` and a runner group `azimuth-private-<environment>` on it
#   (the jobs say `runs-on: { group: azimuth-private-<environment> }`).
# - Azure Pipelines: a Managed DevOps Pool `mdp-azimuth-<environment>` in its delegated subnet
#   (the jobs say `pool: mdp-azimuth-<environment>`).
# Both leave through the NAT gateway and are admitted by the database and private-endpoint
# NSGs (networking.tf). Terraform itself keeps running on hosted agents: it touches no data plane.

# --- GitHub-hosted runners with Azure private networking --------------------------------------
# GitHub.Network/networkSettings@2024-04-02 (learn.microsoft.com/azure/templates/github.network/
# networksettings); azurerm has no resource for it. GitHub writes the id it knows the settings
# by into the `GitHubId` tag, so Terraform leaves the tags alone.

resource "azapi_resource" "github_network_settings" {
  count     = var.github_runners_enabled ? 1 : 0
  type      = "GitHub.Network/networkSettings@2024-04-02"
  name      = "ghns-${local.name}"
  parent_id = azurerm_resource_group.main.id
  location  = azurerm_resource_group.main.location
  body = {
    properties = {
      businessId = var.github_business_id
      subnetId   = azurerm_subnet.subnet["github_runners"].id
    }
  }
  response_export_values = ["tags.GitHubId"]

  lifecycle {
    ignore_changes = [tags]
  }

  # The subnet must have its NSG and NAT gateway before runners start in it.
  depends_on = [
    azurerm_subnet_network_security_group_association.subnet,
    azurerm_subnet_nat_gateway_association.integration,
  ]
}

output "github_network_settings_id" {
  description = "GitHubId of the runners' network settings: paste into GitHub (org settings > Hosted compute networking > New network configuration > Azure private network); empty when off."
  value       = var.github_runners_enabled ? azapi_resource.github_network_settings[0].output.tags.GitHubId : ""
}

# --- Azure DevOps Managed DevOps Pool -----------------------------------------------------------
# azurerm_managed_devops_pool (azurerm 5.2, Microsoft.DevOpsInfrastructure 2025-09-20) needs a
# Dev Center project; the pool's VMs join the delegated subnet, which the DevOpsInfrastructure
# service principal must be able to read and join (Reader + Network Contributor on the VNet).

locals {
  devops_pool_name = "mdp-azimuth-${var.environment}"
}

resource "azurerm_dev_center" "runners" {
  count               = var.devops_pool_enabled ? 1 : 0
  name                = "dc-${local.compact}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_dev_center_project" "runners" {
  count               = var.devops_pool_enabled ? 1 : 0
  name                = "dcp-${local.compact}"
  dev_center_id       = azurerm_dev_center.runners[0].id
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_role_assignment" "devops_infrastructure_vnet" {
  for_each             = var.devops_pool_enabled ? toset(["Reader", "Network Contributor"]) : toset([])
  scope                = azurerm_virtual_network.main.id
  role_definition_name = each.value
  principal_id         = var.devops_infrastructure_principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_managed_devops_pool" "runners" {
  count                 = var.devops_pool_enabled ? 1 : 0
  name                  = local.devops_pool_name
  location              = azurerm_resource_group.main.location
  resource_group_name   = azurerm_resource_group.main.name
  dev_center_project_id = azurerm_dev_center_project.runners[0].id
  maximum_concurrency   = 1
  tags                  = local.tags

  azure_devops_organization {
    organization {
      url         = var.devops_organization_url
      parallelism = 1
      projects    = var.devops_projects
    }
    # Agent-pool administrators of the organization administer this pool too; CreatorOnly
    # would leave a service principal creator with no administrator at all.
    permission {
      kind = "Inherit"
    }
  }

  # A fresh machine per job: nothing from one migration survives into the next job.
  stateless_agent {}

  virtual_machine_scale_set_fabric {
    sku_name  = "Standard_D2ads_v5"
    subnet_id = azurerm_subnet.subnet["devops_pool"].id

    image {
      well_known_image_name = "ubuntu-24.04/latest"
    }
  }

  depends_on = [
    azurerm_role_assignment.devops_infrastructure_vnet,
    azurerm_subnet_network_security_group_association.subnet,
    azurerm_subnet_nat_gateway_association.integration,
  ]
}

output "devops_pool_name" {
  description = "Azure Pipelines pool of the jobs that need the private network; empty when off."
  value       = var.devops_pool_enabled ? azurerm_managed_devops_pool.runners[0].name : ""
}
