import { expect } from "chai";
import { getUserShardId, initSharding } from "../../../runtime/sharding";
import { roleFromClaims, ROLE_GRANTS, ROLES, userClaims } from "../../../runtime/security/roles";

describe("roles from custom claims", () => {
  before(() => initSharding());

  it("reads the role claim, absent for ordinary users", () => {
    expect(roleFromClaims({ role: "support", geo: "us" })).to.equal("support");
    expect(roleFromClaims({ geo: "us" })).to.equal(undefined);
    expect(Object.keys(ROLE_GRANTS)).to.deep.equal([...ROLES]);
  });

  it("throws on an unknown role instead of ignoring it", () => {
    expect(() => roleFromClaims({ role: "superuser" })).to.throw(
      'claim `role` must be one of admin, moderator, support, but "superuser" was provided',
    );
  });

  it("builds a user's claims with their geography and their one user shard", () => {
    expect(userClaims("alice", "eu")).to.deep.equal({
      geo: "eu",
      userShard: getUserShardId("alice"),
    });
    expect(userClaims("ada", "us", "admin")).to.deep.equal({
      geo: "us",
      userShard: getUserShardId("ada"),
      role: "admin",
    });
    expect(() => userClaims("alice", "mars" as never)).to.throw(
      '`geography` must be one of us, eu, asia, but "mars" was provided',
    );
  });
});
