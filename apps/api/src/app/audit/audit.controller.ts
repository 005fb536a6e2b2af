import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuditVerification } from '@gcm/audit';
import { RequireScope } from '../auth/auth.decorators';
import { AuditPageDto, AuditQueryDto, AuditVerificationDto } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequireScope('admin')
  @ApiOperation({ summary: "The API's audit trail, filtered and paginated (oldest first)", description: 'Every mutating call is recorded, refused ones included; bodies are not.' })
  @ApiOkResponse({ type: AuditPageDto })
  list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    return this.audit.list(query);
  }

  @Get('verify')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Verify the hash chain of the whole trail', description: 'Reports edited, deleted, reordered or torn records with their file and line.' })
  @ApiOkResponse({ type: AuditVerificationDto })
  verify(): Promise<AuditVerification> {
    return this.audit.verify();
  }
}
