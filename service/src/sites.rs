//! Sites of a tenant, as TCM lists them.

use crate::Services;
use crate::error::Result;
use crate::repo::sites::{self, SiteWithCount};

impl Services {
    pub async fn list_sites(&self, tenant_id: &str) -> Result<Vec<SiteWithCount>> {
        sites::list_by_tenant(self.db(), tenant_id).await
    }
}
