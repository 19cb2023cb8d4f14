import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { LoggerModule } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { AssetsController } from './assets/assets.controller';
import { AssetsService } from './assets/assets.service';
import { AuditController } from './core/audit/audit.controller';
import { AuditService } from './core/audit/audit.service';
import { AuthController } from './core/auth/auth.controller';
import { AuthService } from './core/auth/auth.service';
import { AuthenticationGuard } from './core/auth/authentication.guard';
import { EnclaveStrategy } from './core/auth/session.strategy';
import { LoginThrottle } from './core/auth/throttle.service';
import { PoliciesGuard } from './core/authz/authz';
import { APP_CONFIG, type AppConfig } from './core/config/config';
import { APP_DATA_SOURCE, Db } from './core/db/tenant';
import { TenantTransactionInterceptor } from './core/db/tenant.interceptor';
import { ErrorFilter } from './core/errors/error.filter';
import { ExportsController } from './exports/exports.controller';
import { ExportsService } from './exports/exports.service';
import { TransactionEnd } from './exports/transaction-end';
import { JsonBodyMiddleware } from './core/http/json-body.middleware';
import { loggerParams } from './core/http/logging';
import { RequestContextMiddleware } from './core/http/request-context.middleware';
import { HealthController } from './health/health.controller';
import { PlatformController } from './platform/platform.controller';
import { PlatformService } from './platform/platform.service';
import { AnnotationsService } from './labelling/annotations.service';
import { LabellingController } from './labelling/labelling.controller';
import { QueueService } from './labelling/queue.service';
import { ReviewsService } from './labelling/reviews.service';
import { MembersService } from './projects/members.service';
import { ProjectAccess } from './projects/project-access';
import { ProjectTasksService } from './projects/project-tasks.service';
import { ProjectsController, TemplatesController } from './projects/projects.controller';
import { ProjectsService } from './projects/projects.service';
import { SAMPLE_IMAGE_STORE, SampleDataLoader } from './projects/sample-data';
import { DemoSeeder } from './seed/demo.seeder';
import { StatsController } from './stats/stats.controller';
import { StatsService } from './stats/stats.service';
import { UsersController } from './users/users.controller';
import { TasksImportController } from './tasks/tasks-import.controller';
import { TasksImportService } from './tasks/tasks-import.service';
import { UsersService } from './users/users.service';

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig, dataSource: DataSource): DynamicModule {
    return {
      module: AppModule,
      imports: [LoggerModule.forRoot(loggerParams(config)), PassportModule],
      controllers: [
        HealthController,
        AuthController,
        UsersController,
        PlatformController,
        AuditController,
        ProjectsController,
        TemplatesController,
        LabellingController,
        AssetsController,
        TasksImportController,
        ExportsController,
        StatsController,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_DATA_SOURCE, useValue: dataSource },
        Db,
        AuditService,
        LoginThrottle,
        AuthService,
        EnclaveStrategy,
        UsersService,
        PlatformService,
        DemoSeeder,
        ProjectAccess,
        ProjectsService,
        MembersService,
        ProjectTasksService,
        SampleDataLoader,
        QueueService,
        AnnotationsService,
        ReviewsService,
        { provide: SAMPLE_IMAGE_STORE, useExisting: AssetsService },
        AssetsService,
        TasksImportService,
        ExportsService,
        TransactionEnd,
        StatsService,
        // Order matters: authenticate, then check the route's action, then open the tenant transaction.
        { provide: APP_GUARD, useClass: AuthenticationGuard },
        { provide: APP_GUARD, useClass: PoliciesGuard },
        { provide: APP_INTERCEPTOR, useClass: TenantTransactionInterceptor },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContextMiddleware, JsonBodyMiddleware).forRoutes('*path');
  }
}
