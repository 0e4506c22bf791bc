/// What a token may do: `admin` manages the instance's tenant, `agent` acts as one Jira
/// agent (the account id) in the agent-facing API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Admin,
    Agent,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Admin => "admin",
            Scope::Agent => "agent",
        }
    }

    /// Parses `admin` or `agent`; the error names the value.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "admin" => Ok(Scope::Admin),
            "agent" => Ok(Scope::Agent),
            other => Err(format!("unknown token scope {other:?} (admin or agent)")),
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
